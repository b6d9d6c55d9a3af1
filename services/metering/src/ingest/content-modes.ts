import { type IncomingHttpHeaders } from 'node:http';

export const STRUCTURED_CONTENT_TYPE = 'application/cloudevents+json';
export const BATCH_CONTENT_TYPE = 'application/cloudevents-batch+json';
const ATTRIBUTE_HEADER_PREFIX = 'ce-';

/** The three content modes of the CloudEvents HTTP binding. */
export type ContentMode = 'structured' | 'batch' | 'binary';

/** The attributes the usage rules read that binary mode carries as `ce-<attribute>` headers. */
const HEADER_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'subject', 'time'] as const;

const mediaTypeOf = (contentType: string | undefined) =>
  contentType?.split(';')[0]?.trim().toLowerCase() || undefined;

/**
 * A request's content mode: a CloudEvents media type says structured or batch; else `ce-` headers say binary.
 * A request with neither is no CloudEvent (null).
 */
export function contentModeOf(headers: IncomingHttpHeaders): ContentMode | null {
  const mediaType = mediaTypeOf(headers['content-type']);
  if (mediaType === STRUCTURED_CONTENT_TYPE) return 'structured';
  if (mediaType === BATCH_CONTENT_TYPE) return 'batch';
  return Object.keys(headers).some((name) => name.startsWith(ATTRIBUTE_HEADER_PREFIX)) ? 'binary' : null;
}

/**
 * A binary-mode event in the JSON format the usage rules check, so that a bad attribute is refused naming the
 * same field as in structured mode: each attribute from its `ce-` header, `datacontenttype` the media type of
 * the body (its parameters, such as the charset, are the body's encoding), `data` the parsed body.
 */
export function eventOfBinaryMessage(headers: IncomingHttpHeaders, body: unknown): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const attribute of HEADER_ATTRIBUTES) {
    const value = headers[`${ATTRIBUTE_HEADER_PREFIX}${attribute}`];
    if (typeof value === 'string') event[attribute] = decodedHeaderValue(value);
  }
  return { ...event, datacontenttype: mediaTypeOf(headers['content-type']), data: body };
}

/**
 * The binding's decoding of an attribute header: a quoted string unescaped, then one round of percent-decoding.
 * A value that does not decode to UTF-8 is left out, so the event is refused naming that attribute.
 */
function decodedHeaderValue(value: string): string | undefined {
  const quoted = /^"(.*)"$/s.exec(value)?.[1];
  try {
    return decodeURIComponent(quoted === undefined ? value : quoted.replace(/\\(.)/gs, '$1'));
  } catch {
    return undefined;
  }
}

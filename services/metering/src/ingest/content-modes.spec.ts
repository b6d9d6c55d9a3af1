import { randomUUID } from 'node:crypto';
import { type IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from '@jest/globals';
import { CloudEvent, HTTP } from 'cloudevents';
import { contentModeOf, eventOfBinaryMessage } from './content-modes.js';
import { parseUsageEvent } from './usage-event.js';

const valid = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/services/wiki-1',
  type: 'onecommons.usage.v1',
  subject: randomUUID(),
  time: '2026-11-25T10:00:00Z',
  data: { service: randomUUID(), meter: 'active_seconds', quantity: 60 },
};

/** An event in binary mode as the binding says to send it: attributes percent-encoded in `ce-` headers. */
function binaryMessageOf(
  { data, ...attributes }: Record<string, unknown>,
  contentType = 'application/json; charset=utf-8',
) {
  const headers: IncomingHttpHeaders = { 'content-type': contentType };
  for (const [name, value] of Object.entries(attributes))
    if (typeof value === 'string') headers[`ce-${name}`] = encodeURIComponent(value);
  return { headers, body: data };
}

const parseBinary = ({ headers, body }: { headers: IncomingHttpHeaders; body: unknown }) =>
  parseUsageEvent(eventOfBinaryMessage(headers, body));

describe('content modes', () => {
  it.each([
    ['application/cloudevents+json', {}, 'structured'],
    ['application/CloudEvents+JSON; charset=utf-8', { 'ce-id': 'e' }, 'structured'],
    ['application/cloudevents-batch+json', {}, 'batch'],
    ['application/json; charset=utf-8', { 'ce-specversion': '1.0' }, 'binary'],
    ['text/plain', { 'ce-id': 'e' }, 'binary'],
    ['application/json', { 'x-request-id': 'r' }, null],
    ['text/plain', {}, null],
  ])('%s with %j is %s', (contentType, headers, mode) => {
    expect(contentModeOf({ 'content-type': contentType, ...headers })).toBe(mode);
  });
});

describe('an event in binary mode', () => {
  it("is the structured event, as the cloudevents SDK's binary emitter sends it", () => {
    const { headers, body } = HTTP.binary(new CloudEvent(valid));
    const parsed = parseBinary({ headers, body: JSON.parse(body as string) });
    expect(parsed).toHaveProperty('event');
    expect(parsed).toEqual(parseUsageEvent(valid));
  });

  it('has its header values unquoted and percent-decoded', () => {
    const { headers, body } = binaryMessageOf(valid);
    const parsed = parseBinary({
      headers: { ...headers, 'ce-id': 'caf%C3%A9%20%2250%25%22', 'ce-source': '"/services/\\"wiki\\""' },
      body,
    });
    expect(parsed).toMatchObject({ event: { id: 'café "50%"', source: '/services/"wiki"' } });
  });

  it('is refused, naming the attribute, when a header value is no percent-encoded UTF-8', () => {
    const { headers, body } = binaryMessageOf(valid);
    // An overlong encoding of a space, and a stray percent sign.
    for (const id of ['a%C0%A0b', '50%'])
      expect(parseBinary({ headers: { ...headers, 'ce-id': id }, body })).toMatchObject({
        rejection: { code: 'invalid_attribute', field: 'id' },
      });
  });

  it.each([
    ['another specversion', { ...valid, specversion: '0.3' }],
    ['no id', { ...valid, id: undefined }],
    ['an empty id', { ...valid, id: '' }],
    ['an id with a NUL', { ...valid, id: 'evt\u00001' }],
    ['a source with spaces', { ...valid, source: 'a b' }],
    ['another type', { ...valid, type: 'com.example.usage' }],
    ['a subject that is no UUID', { ...valid, subject: 'alice' }],
    ['a time without zone', { ...valid, time: '2026-11-25T10:00:00' }],
    ['a meter with a NUL', { ...valid, data: { ...valid.data, meter: 'active\u0000' } }],
    ['a negative quantity', { ...valid, data: { ...valid.data, quantity: -1 } }],
  ])('with %s is refused as in structured mode', (_label, event) => {
    const structured = parseUsageEvent(event);
    expect(structured).toHaveProperty('rejection');
    expect(parseBinary(binaryMessageOf(event))).toEqual(structured);
  });

  it('takes its data content type from the Content-Type, without parameters', () => {
    expect(parseBinary(binaryMessageOf(valid, 'Application/JSON'))).toHaveProperty('event');
    expect(parseBinary(binaryMessageOf(valid, 'text/plain; charset=utf-8'))).toMatchObject({
      rejection: { code: 'invalid_attribute', field: 'datacontenttype' },
    });
    expect(parseBinary({ headers: binaryMessageOf(valid).headers, body: undefined })).toMatchObject({
      rejection: { field: 'data' },
    });
  });
});

import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type JsonSchema, type Operation, type Parameter } from './openapi-operations.js';
import { brokenBodies, exampleOf, HOSTILE_STRINGS, toJsonText } from './schema-breakers.js';

/** One request that is wrong by construction in exactly one part, and what the answer must name. */
export interface HostileRequest {
  readonly part: 'credentials' | 'path' | 'query' | 'body';
  readonly how: string;
  readonly method: string;
  /** Path and query, already encoded. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** The field a `validation_failed` answer must name (undefined: any or none). */
  readonly field?: string;
  /** Whether the answer must be `validation_failed` naming `field` (body fields), or may be another 4xx. */
  readonly fieldRequired: boolean;
  /** The credential sent, if any: the only secret the answer may contain. */
  readonly credential?: string;
}

/** Credentials of the right kind for each operation, and wrong ones for the credentials part. */
export interface Callers {
  readonly accessToken: string;
  readonly apiKey: string;
  /** Credentials no endpoint may accept, with what is wrong with each. */
  readonly forged: readonly { readonly how: string; readonly value: string }[];
  /** A credential of the other kind, per kind an operation takes. */
  readonly wrongKind: Readonly<Record<'accessToken' | 'apiKey', { how: string; value: string }>>;
}

/** A body the document does not describe (CloudEvents, signed webhooks): how to send it. */
export interface UndocumentedBody {
  readonly contentType: string;
  readonly schema: JsonSchema;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether a broken field is named in the answer (false: the body is refused as a whole, e.g. unsigned). */
  readonly namesFields?: boolean;
}

const CURRENT_PERIOD = new Date().toISOString().slice(0, 7);

/** A value a path parameter accepts, so that another part of the request is the one that fails. */
export function validPathValue(name: string): string {
  if (name === 'period') return CURRENT_PERIOD;
  if (name === 'account') return `operator:${randomUUID()}`;
  if (name === 'name') return 'badinput';
  return randomUUID();
}

/** Path segments no parameter accepts; some percent-encodings are sent raw to exercise decoders. */
const RAW_SEGMENTS = ['%00', '%zz', '%', '%c0%ae%c0%ae', '%ff%fe', 'a%00b', '%2e%2e%2fetc'];
const ACCEPTABLE_SEGMENT = /^[A-Za-z0-9_:-]{1,300}$/;

const hostileSegment: fc.Arbitrary<{ value: string; raw: boolean }> = fc.oneof(
  fc.constantFrom(...RAW_SEGMENTS).map((value) => ({ value, raw: true })),
  fc
    .oneof(
      fc.constantFrom(
        ...HOSTILE_STRINGS,
        '-1',
        '1.5',
        'null',
        'undefined',
        `${randomUUID()}x`,
        'x'.repeat(5_000),
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
    )
    // A segment of only `.`s is a dot segment: the URL would silently point elsewhere.
    .filter((value) => !ACCEPTABLE_SEGMENT.test(value) && !/^\.+$/.test(value))
    .map((value) => ({ value, raw: false })),
);

/** Percent-encodes every byte but RFC 3986's unreserved characters (a lone surrogate becomes U+FFFD). */
export function percentEncode(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'), (byte) =>
    /[A-Za-z0-9_~-]/.test(String.fromCharCode(byte))
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
}

function targetOf(operation: Operation, path: Readonly<Record<string, string>>, query = ''): string {
  const filled = operation.path.replace(/\{([^}]+)\}/g, (_match, name: string) => path[name] ?? '');
  return query ? `${filled}?${query}` : filled;
}

const validPath = (operation: Operation) =>
  Object.fromEntries(
    operation.parameters
      .filter((p) => p.in === 'path')
      .map((p) => [p.name, percentEncode(validPathValue(p.name))]),
  );

/** A query value (as text) the parameter's schema refuses. */
function brokenQueryValue(parameter: Parameter): fc.Arbitrary<string> {
  const { schema } = parameter;
  const numeric = schema.type === 'integer' || schema.type === 'number';
  const accepts = (text: string) => {
    if (numeric) {
      const value = Number(text);
      return (
        text.trim() !== '' &&
        Number.isFinite(value) &&
        (schema.type !== 'integer' || Number.isInteger(value)) &&
        value >= (schema.minimum ?? -Infinity) &&
        value <= (schema.maximum ?? Infinity)
      );
    }
    return (
      [...text].length >= (schema.minLength ?? 0) &&
      [...text].length <= (schema.maxLength ?? Infinity) &&
      (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(text)) &&
      (schema.enum === undefined || schema.enum.includes(text)) &&
      !text.includes('\u0000')
    );
  };
  return fc
    .oneof(
      fc.constantFrom(
        'abc',
        '1.5',
        '-1',
        '0',
        '201',
        '1e999',
        '0x10',
        '',
        ' ',
        '9'.repeat(400),
        'x'.repeat(3_000),
      ),
      fc.constantFrom(...HOSTILE_STRINGS),
      fc.string({ unit: 'binary', maxLength: 40 }),
    )
    .filter((text) => !accepts(text));
}

function credentialHeaders(operation: Operation, callers: Callers): Record<string, string> {
  if (operation.credential === 'none') return {};
  return {
    authorization: `Bearer ${operation.credential === 'apiKey' ? callers.apiKey : callers.accessToken}`,
  };
}

/** Right credentials and, when the operation takes one, a valid body: the rest of a request broken elsewhere. */
function validRest(operation: Operation, callers: Callers, undocumented?: UndocumentedBody) {
  const body = bodyOf(operation, undocumented);
  const headers = credentialHeaders(operation, callers);
  if (!body) return { headers };
  return {
    headers: { ...headers, ...body.headers, 'content-type': body.contentType },
    body: toJsonText(exampleOf(body.schema)),
  };
}

function bodyOf(operation: Operation, undocumented?: UndocumentedBody) {
  if (operation.body)
    return {
      contentType: operation.body.contentType,
      schema: operation.body.schema,
      headers: {},
      namesFields: true,
    };
  return undocumented ? { headers: {}, namesFields: true, ...undocumented } : undefined;
}

/** Requests whose credentials are missing, malformed, forged or of the wrong kind. */
function credentialAttacks(operation: Operation, callers: Callers, undocumented?: UndocumentedBody) {
  if (operation.credential === 'none') return [];
  const body = bodyOf(operation, undocumented);
  const base = {
    part: 'credentials' as const,
    method: operation.method,
    target: targetOf(operation, validPath(operation)),
    fieldRequired: false,
    ...(body ? { body: toJsonText(exampleOf(body.schema)) } : {}),
  };
  const json = body ? { 'content-type': body.contentType, ...body.headers } : {};
  const attacks = [
    { how: 'no credentials', headers: json },
    ...callers.forged.map(({ how, value }) => ({ how, headers: { ...json, authorization: value } })),
  ];
  if (operation.credential !== 'either') {
    const other = callers.wrongKind[operation.credential];
    attacks.push({ how: other.how, headers: { ...json, authorization: `Bearer ${other.value}` } });
  }
  return [fc.constantFrom(...attacks).map((attack) => ({ ...base, ...attack }))];
}

function pathAttacks(
  operation: Operation,
  callers: Callers,
  undocumented?: UndocumentedBody,
): fc.Arbitrary<HostileRequest>[] {
  return operation.parameters
    .filter((parameter) => parameter.in === 'path')
    .map((parameter) =>
      hostileSegment.map(({ value, raw }) => ({
        part: 'path' as const,
        how: `${parameter.name} = ${JSON.stringify(value.slice(0, 80))}${raw ? ' (raw)' : ''}`,
        method: operation.method,
        target: targetOf(operation, {
          ...validPath(operation),
          [parameter.name]: raw ? value : percentEncode(value),
        }),
        ...validRest(operation, callers, undocumented),
        field: parameter.name,
        fieldRequired: false,
      })),
    );
}

function queryAttacks(
  operation: Operation,
  callers: Callers,
  undocumented?: UndocumentedBody,
): fc.Arbitrary<HostileRequest>[] {
  const declared = operation.parameters.filter((parameter) => parameter.in === 'query');
  if (declared.length === 0) return [];
  // The declared parameters that must be present to get past validation at all.
  const required = declared
    .filter((p) => p.required)
    .map((p) => [p.name, String(exampleOf(p.schema))] as const);
  const request = (
    how: string,
    query: readonly (readonly [string, string])[],
    field?: string,
  ): HostileRequest => ({
    part: 'query',
    how,
    method: operation.method,
    target: targetOf(
      operation,
      validPath(operation),
      query.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&'),
    ),
    ...validRest(operation, callers, undocumented),
    ...(field === undefined ? {} : { field }),
    fieldRequired: false,
  });
  return [
    ...declared.map((parameter) =>
      brokenQueryValue(parameter).map((value) =>
        request(
          `${parameter.name} = ${JSON.stringify(value.slice(0, 80))}`,
          [...required.filter(([name]) => name !== parameter.name), [parameter.name, value]],
          parameter.name,
        ),
      ),
    ),
    ...declared
      .filter((parameter) => parameter.required)
      .map((parameter) =>
        fc.constant(
          request(
            `${parameter.name} missing`,
            required.filter(([name]) => name !== parameter.name),
            parameter.name,
          ),
        ),
      ),
    fc
      .constantFrom('__proto__[polluted]', 'constructor[prototype][polluted]', 'unexpected', '$where')
      .map((key) => request(`unknown query key ${key}`, [...required, [key, '1']])),
  ];
}

const MALFORMED_JSON = [
  '{',
  '{"a":',
  "{'a': 1}",
  '{"a": NaN}',
  '{"a": 1,}',
  '/* c */ {}',
  '\u0000',
  '\ufeff{"a":1}x',
  '[1, 2',
];

function emptyBodyIsValid(schema: unknown): boolean {
  const { type, required } = (schema ?? {}) as { type?: unknown; required?: unknown };
  return type === 'object' && !(Array.isArray(required) && required.length > 0);
}

function bodyAttacks(operation: Operation, callers: Callers, undocumented?: UndocumentedBody) {
  const body = bodyOf(operation, undocumented);
  if (!body) return [];
  const base = {
    part: 'body' as const,
    method: operation.method,
    target: targetOf(operation, validPath(operation)),
  };
  const headers = { ...credentialHeaders(operation, callers), ...body.headers };
  const json = { ...headers, 'content-type': body.contentType };
  const example = toJsonText(exampleOf(body.schema));
  const whole = [
    ...MALFORMED_JSON.map((text) => ({
      how: `malformed JSON ${JSON.stringify(text)}`,
      headers: json,
      body: text,
    })),
    ...[
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
    ].map((type) => ({
      how: `content-type ${type}`,
      headers: { ...headers, 'content-type': type },
      body: example,
    })),
    // An empty JSON body is hostile only where the body requires something (`{}` may be a valid body).
    ...(emptyBodyIsValid(body.schema) ? [] : [{ how: 'no body', headers: json }]),
    { how: 'oversized body (1.5 MB)', headers: json, body: `{"a":"${'x'.repeat(1_500_000)}"}` },
    {
      how: 'invalid UTF-8',
      headers: json,
      body: Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    },
  ];
  return [
    fc.constantFrom(...whole).map((attack) => ({ ...base, fieldRequired: false, ...attack })),
    ...brokenBodies(body.schema).map((arbitrary) =>
      arbitrary.map((broken) => ({
        ...base,
        how: `${broken.how} at ${broken.field ?? '(root)'}`,
        headers: json,
        // A fresh email each time: login is rate limited per (address, email) before the body is validated.
        body: toJsonText(broken.value).replace(
          /bad-input-[0-9a-f-]{36}@/g,
          () => `bad-input-${randomUUID()}@`,
        ),
        ...(broken.field === undefined ? {} : { field: broken.field }),
        fieldRequired: body.namesFields && broken.field !== undefined,
      })),
    ),
  ];
}

/**
 * Every hostile request for an operation, each wrong in one part only: one arbitrary per part and way of
 * breaking it, so each is sampled (none for a public operation without input).
 */
export function hostileRequests(
  operation: Operation,
  callers: Callers,
  undocumented?: UndocumentedBody,
): fc.Arbitrary<HostileRequest>[] {
  const credential = (request: Omit<HostileRequest, 'credential'>): HostileRequest => {
    const value = /^Bearer (\S+)$/.exec(request.headers['authorization'] ?? '')?.[1];
    return value === undefined ? request : { ...request, credential: value };
  };
  const all = [
    ...credentialAttacks(operation, callers, undocumented),
    ...pathAttacks(operation, callers, undocumented),
    ...queryAttacks(operation, callers, undocumented),
    ...bodyAttacks(operation, callers, undocumented),
  ];
  return all.map((arbitrary) => arbitrary.map(credential));
}

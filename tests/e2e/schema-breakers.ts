import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { type JsonSchema } from './openapi-operations.js';

/**
 * Values that break a JSON Schema by construction: a valid example of a request body, and one field of it
 * broken (wrong type, out of range, too long, failing its pattern, missing, unknown key), recording which.
 */

/** JSON text spliced verbatim into a body (numbers JSON.stringify cannot write, e.g. `1e999`). */
export class RawJson {
  constructor(readonly text: string) {}
}

export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, child: unknown) => {
    if (!(child instanceof RawJson)) return child;
    raws.push(child.text);
    return `\u0001raw${raws.length - 1}\u0001`;
  });
  return text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_match, index: string) => raws[Number(index)] ?? 'null');
}

/** Strings no well-behaved field accepts as given: injections, traversal, control and odd unicode. */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR '1'='1' --",
  "'; DROP TABLE accounts; --",
  '1; SELECT pg_sleep(5)',
  '{"$gt": ""}',
  '$where: function() { return true }',
  '../../../../etc/passwd',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  'a\u0000b',
  '\u0000',
  '\ud800',
  '\u202e\u0041\u200b\ufeff',
  '<script>alert(1)</script>',
  '${jndi:ldap://example.org/a}',
  '__proto__',
  'constructor',
  '😀'.repeat(50),
];

/** Keys that try to reach an object's prototype, and operator keys of document stores. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '$where',
  '$gt',
  'unexpected',
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The JSON types a schema admits (`integer` is a `number` without a fraction). */
function typesOf(schema: JsonSchema): Set<string> {
  if (schema.const !== undefined) return new Set([jsonType(schema.const)]);
  if (schema.enum) return new Set(schema.enum.map(jsonType));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return new Set(alternatives.flatMap((alternative) => [...typesOf(alternative)]));
  if (schema.type === undefined) return new Set(['any']);
  return new Set(typeof schema.type === 'string' ? [schema.type] : schema.type);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function stringExample(schema: JsonSchema): string {
  if (schema.format === 'uuid') return randomUUID();
  if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
  if (schema.format === 'email') return `bad-input-${randomUUID()}@example.org`;
  if (schema.format === 'uri') return 'https://example.org/bad-input';
  const fits = (candidate: string) =>
    candidate.length >= (schema.minLength ?? 0) &&
    candidate.length <= (schema.maxLength ?? Infinity) &&
    (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(candidate));
  const candidates =
    schema.pattern === undefined
      ? ['example'.padEnd(schema.minLength ?? 0, 'x')]
      : // fast-check cannot generate lookaheads: sample without them, keep what the full pattern accepts.
        fc.sample(fc.stringMatching(new RegExp(schema.pattern.replace(/\(\?[=!][^()]*\)/g, ''))), {
          numRuns: 200,
          seed: 12,
        });
  const found = candidates.find(fits);
  if (found === undefined) throw new Error(`no example string for ${JSON.stringify(schema)}`);
  return found;
}

/** A value the schema accepts, with every property present, so any field can then be broken. */
export function exampleOf(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.example !== undefined) return schema.example;
  if (schema.examples && schema.examples.length > 0) return schema.examples[0];
  if (schema.enum) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives)
    return exampleOf(
      alternatives.find((alternative) => !typesOf(alternative).has('null')) ?? alternatives[0]!,
    );
  const type = [...typesOf(schema)].find((candidate) => candidate !== 'null') ?? 'null';
  switch (type) {
    case 'object':
      return Object.fromEntries(
        Object.entries(schema.properties ?? {}).map(([key, child]) => [key, exampleOf(child)]),
      );
    case 'array':
      return Array.from({ length: Math.max(1, schema.minItems ?? 1) }, () => exampleOf(schema.items ?? {}));
    case 'string':
      return stringExample(schema);
    case 'integer':
    case 'number':
      return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? 1);
    case 'boolean':
      return false;
    default:
      return null;
  }
}

/** Whether a string satisfies a string schema's own constraints (length, pattern, format, enum). */
function stringAccepted(schema: JsonSchema, value: string): boolean {
  if (schema.enum && !schema.enum.includes(value)) return false;
  if (schema.const !== undefined && schema.const !== value) return false;
  // JSON Schema (and zod) count code points, not UTF-16 units.
  const length = [...value].length;
  if (length < (schema.minLength ?? 0) || length > (schema.maxLength ?? Infinity)) return false;
  if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) return false;
  if (schema.format === 'uuid' && !UUID.test(value)) return false;
  if (schema.format === 'date-time' && !RFC3339.test(value)) return false;
  if (schema.format === 'email' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) return false;
  if (schema.format === 'uri' && !/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) return false;
  // Postgres stores no NUL in text or jsonb: no field can keep one, so a service must refuse it.
  return !value.includes('\u0000');
}

function stringAlternatives(schema: JsonSchema): JsonSchema[] {
  const alternatives = schema.anyOf ?? schema.oneOf ?? [schema];
  return alternatives.filter((alternative) => typesOf(alternative).has('string'));
}

/** Nesting thousands deep, written as text: building it as objects would overflow JSON.stringify. */
const deepArray = (depth: number) => new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const deepObject = (depth: number) => new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/** Values of the wrong JSON type for the schema. */
function wrongTypes(schema: JsonSchema): fc.Arbitrary<unknown>[] {
  const admitted = typesOf(schema);
  if (admitted.has('any')) return [];
  const candidates: [string, fc.Arbitrary<unknown>][] = [
    ['string', fc.constantFrom<unknown>('1', 'true', 'null', '')],
    ['integer', fc.integer()],
    ['number', fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Number.isInteger(n))],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom<unknown>([], [1, 'a'], deepArray(5_000))],
    ['object', fc.constantFrom<unknown>({}, { $gt: '' }, deepObject(5_000))],
  ];
  const allows = (type: string) => admitted.has(type) || (type === 'integer' && admitted.has('number'));
  return candidates.filter(([type]) => !allows(type)).map(([, arbitrary]) => arbitrary);
}

/** Values of an admitted type that still break the schema, by what they break: NUL, constraints, range. */
function outOfBounds(schema: JsonSchema): [string, fc.Arbitrary<unknown>][] {
  const alternatives = schema.anyOf ?? schema.oneOf ?? [schema];
  const numeric = alternatives.filter(
    (alternative) => typesOf(alternative).has('integer') || typesOf(alternative).has('number'),
  );
  const strings = stringAlternatives(schema);
  const out: [string, fc.Arbitrary<unknown>][] = [];
  const refused = (value: string) => strings.every((alternative) => !stringAccepted(alternative, value));
  if (strings.length > 0)
    out.push(['NUL character', fc.constantFrom('a\u0000b', '\u0000', '\u0000'.repeat(3))]);
  // Free text takes any string but NUL: only constrained strings can be broken otherwise.
  const constrained = strings.some((alternative) => !stringAccepted(alternative, 'free text \u{1F600}'));
  if (constrained || strings.length === 0) {
    const candidates = [...HOSTILE_STRINGS, 'x'.repeat(100_000), '9'.repeat(400), ' ', ''].filter(refused);
    out.push([
      strings.length > 0 ? 'string breaking its constraints' : 'string for a number',
      fc.oneof(fc.constantFrom(...candidates), fc.string({ unit: 'binary', maxLength: 40 }).filter(refused)),
    ]);
  }
  if (numeric.length > 0) {
    const accepts = (value: number) =>
      numeric.some(
        (alternative) =>
          (!typesOf(alternative).has('integer') || Number.isInteger(value)) &&
          value >= (alternative.minimum ?? -Infinity) &&
          value <= (alternative.maximum ?? Infinity),
      );
    const outOfRange = [-1, 0, 1.5, -0.000001, 2 ** 53, -(2 ** 63), 1e308].filter((value) => !accepts(value));
    if (outOfRange.length > 0) out.push(['number out of range', fc.constantFrom(...outOfRange)]);
    out.push([
      'number JSON cannot hold',
      fc.constantFrom(
        new RawJson('1e999'),
        new RawJson('-1e999'),
        new RawJson('123456789012345678901234567890'),
      ),
    ]);
  }
  return out;
}

/** A body with one field broken: the dotted field (undefined: the root) and what was done to it. */
export interface BrokenBody {
  readonly field: string | undefined;
  readonly how: string;
  readonly value: unknown;
}

const join = (path: readonly string[]) => (path.length > 0 ? path.join('.') : undefined);

function setAt(root: unknown, path: readonly string[], value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const copy: Record<string, unknown> | unknown[] = Array.isArray(root) ? [...root] : { ...(root as object) };
  const child = (copy as Record<string, unknown>)[head];
  if (remove && rest.length === 0) delete (copy as Record<string, unknown>)[head];
  // defineProperty: a `__proto__` key must become an own property, as JSON.parse makes it on the server.
  else
    Object.defineProperty(copy, head, {
      value: setAt(child, rest, value, remove),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

/** Every way of breaking the schema at `path` (recursing into properties and the first array item). */
function breakersAt(
  schema: JsonSchema,
  path: readonly string[],
  example: unknown,
): fc.Arbitrary<BrokenBody>[] {
  const at = (how: string, values: fc.Arbitrary<unknown>, field = join(path)) =>
    values.map((value) => ({ field, how, value: setAt(example, path, value) }));
  const own = [
    ...wrongTypes(schema).map((values) => at('wrong type', values)),
    ...outOfBounds(schema).map(([how, values]) => at(how, values)),
  ];
  const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], example);
  if (typesOf(schema).has('array') && Array.isArray(value)) {
    const items = schema.items ?? {};
    if (schema.maxItems !== undefined && schema.maxItems < 5_000)
      own.push(
        at('too many items', fc.constant(Array.from({ length: schema.maxItems + 1 }, () => value[0]))),
      );
    if ((schema.minItems ?? 0) > 0) own.push(at('too few items', fc.constant([])));
    own.push(...breakersAt(items, [...path, '0'], example));
  }
  if (typesOf(schema).has('object') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      if (schema.required?.includes(key))
        own.push(
          fc.constant({
            field: join([...path, key]),
            how: 'missing required',
            value: setAt(example, [...path, key], undefined, true),
          }),
        );
      own.push(...breakersAt(child, [...path, key], example));
    }
    if (schema.additionalProperties === false)
      own.push(
        fc
          .tuple(
            fc.constantFrom(...HOSTILE_KEYS),
            fc.constantFrom<unknown>({ polluted: true }, null, 'x'.repeat(200_000)),
          )
          .map(([key, extra]) => ({
            field: join([...path, key]),
            how: 'unknown key',
            value: setAt(example, [...path, key], extra),
          })),
      );
  }
  return own;
}

/** Bodies invalid by construction for the schema, one arbitrary per field and way of breaking it. */
export function brokenBodies(schema: JsonSchema): fc.Arbitrary<BrokenBody>[] {
  return breakersAt(schema, [], exampleOf(schema));
}

import { z } from 'zod';

type JsonSchema = { readonly [key: string]: unknown };

/** One row of an event's field table: where the field is, what it holds, and what its schema says of it. */
export interface SchemaField {
  /** `usage[].serviceId` for a field of the objects in the array `usage`. */
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  /** A description declared on the schema itself (`.describe()` / `.meta()`), if any. */
  readonly description: string | undefined;
}

/** JSON Schema (draft 2020-12) of what a contract's data is once parsed: what consumers receive. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
}

/** The fields of an object schema, depth first, nested objects and arrays of objects flattened. */
export function schemaFields(schema: JsonSchema): SchemaField[] {
  const rows: SchemaField[] = [];
  collectFields(schema, '', rows);
  return rows;
}

function collectFields(schema: JsonSchema, prefix: string, rows: SchemaField[]): void {
  const properties = objectOf(schema['properties']);
  if (!properties) return;
  const required = new Set(Array.isArray(schema['required']) ? (schema['required'] as string[]) : []);
  for (const [name, value] of Object.entries(properties)) {
    const field = objectOf(value) ?? {};
    const fieldPath = prefix === '' ? name : `${prefix}.${name}`;
    rows.push({
      path: fieldPath,
      type: describeType(field),
      required: required.has(name),
      description: typeof field['description'] === 'string' ? field['description'] : undefined,
    });
    const nested = withoutNull(field);
    if (nested['type'] === 'object') collectFields(nested, fieldPath, rows);
    const items = objectOf(nested['items']);
    if (nested['type'] === 'array' && items?.['type'] === 'object')
      collectFields(items, `${fieldPath}[]`, rows);
  }
}

/** A short human reading of a field's schema: `uuid`, `string matching ^[A-Z]{3}$`, `integer 0…10000`, `URL`. */
export function describeType(schema: JsonSchema): string {
  const alternatives = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as JsonSchema[]) : undefined;
  if (alternatives) {
    const nullable = alternatives.some((alternative) => alternative['type'] === 'null');
    const others = alternatives.filter((alternative) => alternative['type'] !== 'null').map(describeType);
    return `${others.join(' or ')}${nullable ? ' or null' : ''}`;
  }
  if ('const' in schema) return `\`${JSON.stringify(schema['const'])}\``;
  if (Array.isArray(schema['enum']))
    return `one of ${schema['enum'].map((v) => `\`${String(v)}\``).join(', ')}`;
  switch (schema['type']) {
    case 'string':
      return describeString(schema);
    case 'integer':
    case 'number':
      return `${String(schema['type'])}${range(schema['minimum'], schema['maximum'])}`;
    case 'array': {
      const items = objectOf(schema['items']);
      return `array of ${items ? describeType(items) : 'anything'}`;
    }
    case 'object':
      return 'object';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    default:
      return 'any';
  }
}

function describeString(schema: JsonSchema): string {
  const format = schema['format'];
  if (format === 'uuid') return 'uuid';
  if (format === 'date-time') return 'date-time (UTC)';
  if (format === 'email') return 'email';
  const parts = [format === 'uri' ? 'URL' : 'string'];
  if (typeof schema['pattern'] === 'string') parts.push(`matching \`${schema['pattern']}\``);
  const length = range(schema['minLength'], schema['maxLength']);
  if (length !== '') parts.push(`(length${length})`);
  return parts.join(' ');
}

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;

/** ` 0…10000`, ` ≥ 1`, or nothing when the bounds are just JavaScript's safe-integer range. */
function range(minimum: unknown, maximum: unknown): string {
  const min = typeof minimum === 'number' && minimum > -SAFE_INTEGER ? minimum : undefined;
  const max = typeof maximum === 'number' && maximum < SAFE_INTEGER ? maximum : undefined;
  if (min !== undefined && max !== undefined) return ` ${min}…${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

function withoutNull(schema: JsonSchema): JsonSchema {
  const alternatives = Array.isArray(schema['anyOf']) ? (schema['anyOf'] as JsonSchema[]) : undefined;
  const nonNull = alternatives?.filter((alternative) => alternative['type'] !== 'null');
  return nonNull?.length === 1 ? (nonNull[0] as JsonSchema) : schema;
}

function objectOf(value: unknown): JsonSchema | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonSchema)
    : undefined;
}

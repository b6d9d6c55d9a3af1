import { type StandardSchemaConversionResult } from '@nestjs/swagger';
import { z } from 'zod';

type SchemaType = 'input' | 'output';
type JsonSchema = Record<string, unknown>;

/**
 * JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) of a request or response schema: the input side
 * for what a client sends, the output side for what it receives. Zod schemas convert with `z.toJSONSchema`;
 * transforms and other code-only parts document as what they accept. Named sub-schemas become components.
 */
export function openApiSchemaOf(
  schema: unknown,
  { schemaType }: { schemaType: SchemaType },
): StandardSchemaConversionResult | undefined {
  const converted = jsonSchemaOf(schema, schemaType);
  if (!converted) return undefined;
  const { $schema: _dialect, $defs: definitions, ...rest } = converted;
  return {
    schema: rewriteDefinitionRefs(rest),
    components: rewriteDefinitionRefs((definitions ?? {}) as JsonSchema),
  };
}

function jsonSchemaOf(schema: unknown, io: SchemaType): JsonSchema | undefined {
  if (schema instanceof z.ZodType) {
    return z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  }
  const standard = (schema as { '~standard'?: { jsonSchema?: Record<SchemaType, unknown> } } | null)?.[
    '~standard'
  ];
  const convert = standard?.jsonSchema?.[io];
  return typeof convert === 'function'
    ? (convert as (options: { target: string }) => JsonSchema)({ target: 'draft-2020-12' })
    : undefined;
}

function rewriteDefinitionRefs<Value>(value: Value): Value {
  if (Array.isArray(value)) return value.map(rewriteDefinitionRefs) as Value;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => [
      key,
      key === '$ref' && typeof child === 'string'
        ? child.replace(/^#\/\$defs\//, '#/components/schemas/')
        : rewriteDefinitionRefs(child),
    ]),
  ) as Value;
}

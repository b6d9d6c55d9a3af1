import { type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { SharedError } from '../errors/shared-errors.js';

/** A Standard Schema (zod 4 schemas are one), as Nest 12 carries it in `@Body({ schema })`. */
type StandardSchema = NonNullable<ArgumentMetadata['schema']>;
type Issue = { readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> };

/**
 * Validates a request part (body, query, params) against its schema: the first problem becomes a 400
 * `validation_failed` naming the field, so the client knows exactly what to fix.
 *
 * Installed globally by ServiceKitModule, it validates every parameter declared with a schema, e.g.
 * `@Body({ schema: loginSchema })`; the same schema documents the parameter in the service's OpenAPI.
 * `new ZodValidationPipe(schema)` still validates a parameter explicitly, but leaves it undocumented.
 */
export class ZodValidationPipe<Output = unknown> implements PipeTransform<unknown, Promise<Output>> {
  constructor(private readonly schema?: StandardSchema) {}

  async transform(value: unknown, metadata?: ArgumentMetadata): Promise<Output> {
    const schema = this.schema ?? metadata?.schema;
    if (!schema) return value as Output;
    const withNul = pathToNul(value);
    if (withNul !== undefined)
      throw SharedError.invalid(
        'validation_failed',
        'must not contain NUL characters',
        withNul.join('.') || undefined,
      );
    const result = await schema['~standard'].validate(value);
    if (!result.issues) return result.value as Output;
    const issue = result.issues[0] as Issue | undefined;
    throw SharedError.invalid(
      'validation_failed',
      issue?.message ?? 'invalid input',
      issue && fieldOf(issue),
    );
  }
}

/** The dotted path of the failing value; for an unknown key (zod's `unrecognized_keys`), the key itself. */
function fieldOf(issue: Issue): string | undefined {
  const keys = (issue as { keys?: unknown }).keys;
  const path = [
    ...(issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment)),
    ...(Array.isArray(keys) ? (keys as PropertyKey[]) : []),
  ];
  return path.length > 0 ? path.map(String).join('.') : undefined;
}

/**
 * The path of the first string (or key) holding a NUL: Postgres can store none in text or jsonb, so such
 * input would otherwise pass validation and fail in SQL as a 500. Iterative, so deep nesting cannot overflow.
 */
function pathToNul(value: unknown): string[] | undefined {
  const pending: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (pending.length > 0) {
    const { value: current, path } = pending.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return path;
    } else if (current !== null && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (key.includes('\u0000')) return [...path, key];
        pending.push({ value: child, path: [...path, key] });
      }
    }
  }
  return undefined;
}

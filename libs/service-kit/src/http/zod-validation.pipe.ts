import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * Validates a request part (body, query, params) against a zod schema: the first problem becomes a 400
 * `validation_failed` naming the field, so the client knows exactly what to fix.
 */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<unknown, z.output<Schema>> {
  constructor(private readonly schema: Schema) {}

  transform(value: unknown): z.output<Schema> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    throw ApiError.badRequest(
      'validation_failed',
      issue?.message ?? 'invalid input',
      issue && fieldOf(issue),
    );
  }
}

/** The dotted path of the failing value; for an unknown key, the key itself. */
function fieldOf(issue: z.core.$ZodIssue): string | undefined {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, ...issue.keys] : issue.path;
  return path.length > 0 ? path.map(String).join('.') : undefined;
}

import { periodSchema } from '@onecommons/contracts';
import { ApiError } from '@onecommons/service-kit';

/** A `:period` path parameter, or 400 naming it. */
export function periodParam(value: string): string {
  const parsed = periodSchema.safeParse(value);
  if (!parsed.success) throw ApiError.badRequest('validation_failed', 'must be a period, YYYY-MM', 'period');
  return parsed.data;
}

import { periodSchema } from '@onecommons/contracts';
import { LedgerError } from '../ledger-errors.js';

/** A `:period` path parameter, or 400 naming it. */
export function periodParam(value: string): string {
  const parsed = periodSchema.safeParse(value);
  if (!parsed.success) throw LedgerError.invalid('validation_failed', 'must be a period, YYYY-MM', 'period');
  return parsed.data;
}

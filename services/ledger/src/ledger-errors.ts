import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Every code of the ledger's own refusals (listed in its OpenAPI document). */
export const LEDGER_ERROR_CODES = [
  'earnings_private',
  'no_allocation',
  'no_tokens',
  'period_not_ended',
  'period_open',
  'usage_beyond_watermark',
  'usage_not_consumed',
] as const;
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/** A refusal of the ledger's rules: answered by its API, printed by its commands, waited out by its scheduler. */
export class LedgerError extends DomainError<LedgerErrorCode | SharedErrorCode> {}

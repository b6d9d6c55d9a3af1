import { DomainError, type SharedErrorCode } from '@onecommons/service-kit';

/** Every code of the payouts service's own refusals (listed in its OpenAPI document). */
export const PAYOUTS_ERROR_CODES = [
  'bank_file_empty',
  'batch_not_found',
  'hold_not_found',
  'invalid_bic',
  'invalid_iban',
  'invalid_signature',
  'onboarding_link_expired',
  'onboarding_link_invalid',
  'onboarding_replaced',
  'payee_not_found',
  'payee_required',
  'payout_account_not_found',
  'payout_account_replaced',
  'payout_changed',
  'payout_not_awaiting_bank',
  'payout_not_found',
  'payout_not_paid',
  'rail_refused',
  'rail_unavailable',
] as const;
export type PayoutsErrorCode = (typeof PAYOUTS_ERROR_CODES)[number];

/** A refusal of payouts' rules, or of the payout rail behind them. */
export class PayoutsError extends DomainError<PayoutsErrorCode | SharedErrorCode> {}

import { type PayoutAccount } from './payees.repository.js';

/** A payee's payout account as the API shows it: never the sealed details. */
export interface PayoutAccountDto {
  readonly id: string;
  readonly rail: 'stripe' | 'bank';
  readonly display: string;
  readonly status: 'verified' | 'unverified';
  readonly statusReason: string | null;
  /** Opened through Stripe-hosted onboarding (`POST …/payout-account/onboarding`). */
  readonly onboarding: boolean;
  /** What Stripe still needs from the payee before it can be paid (its requirements currently or past due). */
  readonly requirements: readonly string[];
  readonly createdAt: string;
  readonly verifiedAt: string | null;
}

export function accountDto(account: PayoutAccount): PayoutAccountDto {
  return {
    id: account.id,
    rail: account.rail,
    display: account.display,
    status: account.status,
    statusReason: account.statusReason,
    onboarding: account.onboarding,
    requirements: account.requirements,
    createdAt: account.createdAt.toISOString(),
    verifiedAt: account.verifiedAt?.toISOString() ?? null,
  };
}

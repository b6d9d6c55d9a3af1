import { type ListObject } from './stripe-objects.js';

/** Stripe Connect objects the fake keeps, in the shape of Stripe's API (unused fields left out). */
export type CapabilityStatus = 'active' | 'inactive' | 'pending';

export interface AccountObject {
  id: string;
  object: 'account';
  type: 'custom' | 'express' | 'standard';
  business_type: string | null;
  country: string;
  default_currency: string;
  email: string | null;
  created: number;
  capabilities: Record<string, CapabilityStatus>;
  charges_enabled: boolean;
  payouts_enabled: boolean;
  details_submitted: boolean;
  requirements: {
    currently_due: string[];
    past_due: string[];
    disabled_reason: string | null;
  };
  metadata: Record<string, string>;
}

/** A single-use link into Stripe-hosted onboarding (`POST /v1/account_links`). */
export interface AccountLinkObject {
  object: 'account_link';
  created: number;
  expires_at: number;
  url: string;
}

export interface TransferReversalObject {
  id: string;
  object: 'transfer_reversal';
  amount: number;
  balance_transaction: string;
  created: number;
  currency: string;
  destination_payment_refund: string;
  metadata: Record<string, string>;
  source_refund: null;
  transfer: string;
}

export interface TransferObject {
  id: string;
  object: 'transfer';
  amount: number;
  amount_reversed: number;
  balance_transaction: string;
  created: number;
  currency: string;
  description: string | null;
  destination: string;
  destination_payment: string;
  livemode: false;
  metadata: Record<string, string>;
  reversals: ListObject<TransferReversalObject> & { total_count: number };
  reversed: boolean;
  source_transaction: null;
  source_type: 'card';
  transfer_group: string | null;
}

export interface BalanceObject {
  object: 'balance';
  available: { amount: number; currency: string; source_types: { card: number } }[];
  pending: { amount: number; currency: string; source_types: { card: number } }[];
  livemode: false;
}

/** One `POST /v1/transfers` the fake answered, replays and failures included (a test helper, not Stripe's). */
export interface TransferAttempt {
  readonly at: string;
  readonly requestId: string;
  readonly idempotencyKey: string | null;
  /** `created`: a new transfer; `replayed`: a stored answer sent again; `failed`: an error answer; `fault`: an injected failure. */
  readonly outcome: 'created' | 'replayed' | 'failed' | 'fault';
  readonly status: number;
  readonly transfer: string | null;
}

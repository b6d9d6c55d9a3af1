/** Where a payout goes: a Stripe connected account, or a bank account paid through a credit-transfer file. */
export type PayoutDestination =
  | { readonly rail: 'stripe'; readonly accountId: string }
  | { readonly rail: 'bank'; readonly holderName: string; readonly iban: string; readonly bic?: string };

export interface TransferRequest {
  /** The payout's uuid. */
  readonly payoutId: string;
  /** Stable per payout and the same on every retry (`payout:<id>`), so a retry never pays twice. */
  readonly idempotencyKey: string;
  readonly destination: PayoutDestination;
  readonly amountMinor: bigint;
  /** ISO 4217, upper case (EUR). */
  readonly currency: string;
  /** Groups a batch's transfers, e.g. `payouts:2026-11`. */
  readonly transferGroup: string;
  readonly description: string;
}

export type TransferOutcome =
  /** The rail's transfer id (`tr_…` for Stripe), the same when the rail replayed an earlier answer. */
  | { readonly kind: 'paid'; readonly reference: string }
  /** Terminal: no money moved. `accountProblem` when the destination cannot receive (hold the payee). */
  | {
      readonly kind: 'declined';
      readonly code: string;
      readonly message: string;
      readonly accountProblem: boolean;
    };

/**
 * Transient: rate limited (429), the rail's server failed (5xx) or the network did. The caller retries
 * later with the SAME idempotency key; `retryAfterMs` is the rail's own hint when it gave one.
 */
export class RailUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RailUnavailableError';
  }
}

/** A transfer as the rail knows it, for reconciliation. */
export interface RailTransferRecord {
  readonly reference: string;
  readonly payoutId: string | null;
  readonly idempotencyKey: string | null;
  readonly amountMinor: bigint;
  /** ISO 4217, upper case. */
  readonly currency: string;
  readonly destination: string;
  readonly reversedMinor: bigint;
  readonly created: Date;
}

export interface AccountCheck {
  readonly verified: boolean;
  readonly reason: string | null;
  /** What the rail still needs from the account holder (Stripe's requirements currently or past due). */
  readonly requirements: readonly string[];
}

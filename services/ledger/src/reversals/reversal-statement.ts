import { type EntityManager } from 'typeorm';
import { type ReversalEffect, type ReversalKind } from './reversal-postings.js';

/** A refund or dispute movement of one of the subscriber's payments, as its statement shows it. */
export interface SubscriberReversalDto {
  readonly kind: ReversalKind;
  readonly paymentId: string;
  /** The provider's id of the refund or dispute (`re_…`, `dp_…`) and its reason. */
  readonly reference: string;
  readonly reason: string | null;
  readonly amountMinor: string;
  readonly currency: string;
  readonly effect: ReversalEffect;
  /** uCC burned from the period's escrow (negative: re-minted into it). */
  readonly tokensBurned: string;
  /** The period the ledger posted it in: the payment's own before its close, the current one after. */
  readonly postedIn: string;
  readonly occurredAt: string;
}

interface Row {
  kind: ReversalKind;
  payment_id: string;
  reference: string;
  reason: string | null;
  amount_minor: string;
  currency: string;
  effect: ReversalEffect;
  tokens_burned: string;
  period: string;
  occurred_at: Date;
}

/** The reversals of the payments that funded the subscriber's escrow for the period, in the order posted. */
export async function subscriberReversals(
  manager: EntityManager,
  subscriberId: string,
  period: string,
): Promise<SubscriberReversalDto[]> {
  const rows = (await manager.query(
    `SELECT r.kind, r.payment_id, r.reference, r.reason, r.amount_minor::text AS amount_minor, r.currency, r.effect,
            r.tokens_burned::text AS tokens_burned, r.period, r.occurred_at
       FROM payment_reversals r JOIN ledger_transactions t ON t.key = r.transaction_key
      WHERE r.subscriber_id = $1 AND r.escrow_period = $2 ORDER BY t.seq`,
    [subscriberId, period],
  )) as Row[];
  return rows.map((row) => ({
    kind: row.kind,
    paymentId: row.payment_id,
    reference: row.reference,
    reason: row.reason,
    amountMinor: row.amount_minor,
    currency: row.currency,
    effect: row.effect,
    tokensBurned: row.tokens_burned,
    postedIn: row.period,
    occurredAt: row.occurred_at.toISOString(),
  }));
}

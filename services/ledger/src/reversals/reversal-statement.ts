import { type EntityManager } from 'typeorm';
import { type ReversalEffect, type ReversalKind } from './reversal-postings.js';
import { ReversalsRepository } from './reversals.repository.js';

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

/** The reversals of the payments that funded the subscriber's escrow for the period, in the order posted. */
export async function subscriberReversals(
  manager: EntityManager,
  subscriberId: string,
  period: string,
): Promise<SubscriberReversalDto[]> {
  const reversals = await new ReversalsRepository().ofEscrow(manager, subscriberId, period);
  return reversals.map((reversal) => ({
    kind: reversal.kind,
    paymentId: reversal.paymentId,
    reference: reversal.reference,
    reason: reversal.reason,
    amountMinor: reversal.amountMinor.toString(),
    currency: reversal.currency,
    effect: reversal.effect,
    tokensBurned: reversal.tokensBurned.toString(),
    postedIn: reversal.period,
    occurredAt: reversal.occurredAt.toISOString(),
  }));
}

import { type ReversalEffect, type ReversalKind } from './reversal-postings.js';
import { type PostedReversal } from './reversals.repository.js';

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

/** A posted reversal (`ReversalsRepository.ofEscrow`) as the subscriber's statement shows it. */
export function subscriberReversalDto(reversal: PostedReversal): SubscriberReversalDto {
  return {
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
  };
}

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { amountMinorSchema, billingPeriodSchema, currencyCodeSchema } from './billing-fields.js';

/** What every money movement back out of a captured payment names: the payment, its subscriber, period and currency. */
const reversedPaymentFields = {
  subscriber: z.uuid(),
  subscriptionId: z.uuid(),
  /** Identity’s id of the payment (as in PaymentCaptured). */
  paymentId: z.uuid(),
  /** The billing period the payment paid for. */
  period: billingPeriodSchema,
  currency: currencyCodeSchema,
  /** This movement’s own amount, never more than what is left of the payment. */
  amountMinor: amountMinorSchema.refine((value) => value !== '0', { error: 'must be positive' }),
  provider: z.enum(['stripe']),
  /** The provider event that reported it (a Stripe event id). */
  providerEventId: z.string().min(1).max(255),
};

export const PaymentRefundedV1 = defineEvent({
  type: 'onecommons.identity.payment.refunded.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'Part or all of a captured payment went back to the subscriber (a Stripe refund that succeeded). One event per refund, with that refund’s own amount; the refunds of a payment never add up to more than it.',
  schema: z.object({
    ...reversedPaymentFields,
    /** Identity’s id of the refund. */
    refundId: z.uuid(),
    /** The provider’s id of the refund (a Stripe `re_…`). */
    providerRefundId: z.string().min(1).max(255),
    /** Stripe’s reason (`duplicate`, `fraudulent`, `requested_by_customer`, …), null when none was given. */
    reason: z.string().min(1).max(100).nullable(),
    refundedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

const disputeFields = {
  ...reversedPaymentFields,
  /** Identity’s id of the dispute. */
  disputeId: z.uuid(),
  /** The provider’s id of the dispute (a Stripe `dp_…`). */
  providerDisputeId: z.string().min(1).max(255),
  /** The card network’s reason, as Stripe names it (`fraudulent`, `product_not_received`, …). */
  reason: z.string().min(1).max(100),
};

export const PaymentDisputeFundsWithdrawnV1 = defineEvent({
  type: 'onecommons.identity.payment.dispute-funds-withdrawn.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'The subscriber’s bank disputed a payment and the disputed amount was taken back from the platform (a chargeback). Once per dispute; money-wise like a refund until the dispute is won.',
  schema: z.object({ ...disputeFields, withdrawnAt: z.iso.datetime() }),
  subjectOf: (data) => data.subscriber,
});

export const PaymentDisputeFundsReinstatedV1 = defineEvent({
  type: 'onecommons.identity.payment.dispute-funds-reinstated.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'The platform won a payment’s dispute and the withdrawn amount came back. Once per dispute, always after its funds-withdrawn event; it undoes exactly that withdrawal. A lost dispute publishes nothing more: the withdrawal stands.',
  schema: z.object({ ...disputeFields, reinstatedAt: z.iso.datetime() }),
  subjectOf: (data) => data.subscriber,
});

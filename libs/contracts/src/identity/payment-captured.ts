import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { amountMinorSchema, billingPeriodSchema, currencyCodeSchema } from './billing-fields.js';

export const PaymentCapturedV1 = defineEvent({
  type: 'onecommons.identity.payment.captured.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'A subscriber’s fee for one billing period was paid. Captured once per provider payment, however often the provider reports it.',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    /** The billing period this payment pays for. */
    period: billingPeriodSchema,
    amountMinor: amountMinorSchema.refine((value) => value !== '0', { error: 'must be positive' }),
    currency: currencyCodeSchema,
    /** Identity’s id of the payment. */
    paymentId: z.uuid(),
    provider: z.enum(['stripe']),
    /** The provider’s id of what was paid (a Stripe invoice id). */
    providerPaymentId: z.string().min(1).max(255),
    /** The provider event that reported the payment (a Stripe event id). */
    providerEventId: z.string().min(1).max(255),
    capturedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import {
  amountMinorSchema,
  billingPeriodSchema,
  currencyCodeSchema,
  paidPlanSchema,
} from './billing-fields.js';

export const SubscriptionStartedV1 = defineEvent({
  type: 'onecommons.identity.subscription.started.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'A subscriber’s paid plan became active: the payment for its first period was captured. Premium applies from `period` on.',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    plan: paidPlanSchema,
    currency: currencyCodeSchema,
    /** The fee per period, in minor units of `currency`. */
    amountMinor: amountMinorSchema,
    period: billingPeriodSchema,
    startedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

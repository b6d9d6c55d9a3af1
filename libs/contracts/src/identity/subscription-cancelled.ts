import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { billingPeriodSchema } from './billing-fields.js';

export const SubscriptionCancelledV1 = defineEvent({
  type: 'onecommons.identity.subscription.cancelled.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'A subscriber cancelled at period end: nothing more is charged; premium lasts until `endsAt` (the end of `lastPeriod`).',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    lastPeriod: billingPeriodSchema,
    endsAt: z.iso.datetime(),
    cancelledAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { billingPeriodSchema } from './billing-fields.js';

export const SubscriptionPastDueV1 = defineEvent({
  type: 'onecommons.identity.subscription.past-due.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'The payment for a period failed: the period is not paid for and mints nothing until a later payment succeeds.',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    period: billingPeriodSchema,
    failedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { billingPeriodSchema } from './billing-fields.js';

export const SubscriptionRenewedV1 = defineEvent({
  type: 'onecommons.identity.subscription.renewed.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'A subscription was paid for another period (a renewal, or a late payment that ended a past-due state).',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    period: billingPeriodSchema,
    renewedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

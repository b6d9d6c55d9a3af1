import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

export const SubscriptionEndedV1 = defineEvent({
  type: 'onecommons.identity.subscription.ended.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'A subscription is over (cancelled at period end, or closed by the payment provider after failed payments); the subscriber is back on the free plan.',
  schema: z.object({
    subscriber: z.uuid(),
    subscriptionId: z.uuid(),
    endedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriber,
});

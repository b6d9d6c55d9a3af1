import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

/** v1 carried the subscriber's email: personal data in an append-only log. Kept only to read old messages. */
export const SubscriberRegisteredV1 = defineEvent({
  type: 'onecommons.identity.subscriber.registered.v1',
  topic: TOPICS.identityEvents.name,
  description: 'An end user created an account (superseded by v2, which carries no email).',
  schema: z.object({ subscriberId: z.uuid(), email: z.email() }),
  subjectOf: (data) => data.subscriberId,
});

export const SubscriberRegisteredV2 = defineEvent(
  {
    type: 'onecommons.identity.subscriber.registered.v2',
    topic: TOPICS.identityEvents.name,
    description: 'An end user created an account. Starts on the free plan.',
    schema: z.object({ subscriberId: z.uuid(), emailVerified: z.boolean(), registeredAt: z.iso.datetime() }),
    subjectOf: (data) => data.subscriberId,
  },
  {
    from: SubscriberRegisteredV1,
    // v1 accounts predate email verification; the event's own time is when they registered.
    apply: (previous, envelope) => ({
      subscriberId: previous.subscriberId,
      emailVerified: false,
      registeredAt: envelope.time,
    }),
  },
);

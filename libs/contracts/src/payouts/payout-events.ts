import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';
import { payeeKeySchema } from './payee-preferences-changed.js';

const payoutFields = {
  payoutId: z.uuid(),
  payee: payeeKeySchema,
  /** The batch: payouts of a period are scheduled when it closes. */
  period: periodSchema,
  amountMinor: z.string().regex(/^[1-9]\d*$/),
  currency: z.string().regex(/^[A-Z]{3}$/),
  rail: z.enum(['stripe', 'bank']),
};

export const PayoutScheduledV1 = defineEvent({
  type: 'onecommons.payouts.payout.scheduled.v1',
  topic: TOPICS.payoutsEvents.name,
  description:
    'A payee’s payable balance was committed to a payout: it leaves the payable balance until the payout fails or is reversed.',
  schema: z.object(payoutFields),
  subjectOf: (data) => data.payoutId,
});

export const PayoutSucceededV1 = defineEvent({
  type: 'onecommons.payouts.payout.succeeded.v1',
  topic: TOPICS.payoutsEvents.name,
  description:
    'The rail paid the payout (a Stripe transfer was created, or the bank confirmed the credit transfer).',
  schema: z.object({ ...payoutFields, reference: z.string().min(1).max(200) }),
  subjectOf: (data) => data.payoutId,
});

export const PayoutFailedV1 = defineEvent({
  type: 'onecommons.payouts.payout.failed.v1',
  topic: TOPICS.payoutsEvents.name,
  description: 'The rail refused the payout; no money moved and the amount is payable again.',
  schema: z.object({ ...payoutFields, code: z.string().min(1).max(100), reason: z.string().max(500) }),
  subjectOf: (data) => data.payoutId,
});

export const PayoutReversedV1 = defineEvent({
  type: 'onecommons.payouts.payout.reversed.v1',
  topic: TOPICS.payoutsEvents.name,
  description: 'A paid payout was reversed (returned by the rail); the amount is payable again.',
  schema: z.object({ ...payoutFields, reference: z.string().min(1).max(200), reason: z.string().max(500) }),
  subjectOf: (data) => data.payoutId,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

export const PeriodClosedV1 = defineEvent({
  type: 'onecommons.ledger.period.closed.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'A period was closed: its subscribers’ tokens were allocated (docs/money-rules.md) and posted to the participants’ accounts.',
  schema: z.object({
    period: periodSchema,
    /** uCC allocated: the sum of all subscriber tokens of the period, as a decimal string. */
    total: z.string().regex(/^(0|[1-9]\d*)$/),
    merkleRoot: z.string().regex(/^[0-9a-f]{64}$/),
    accounts: z.number().int().min(0),
    subscribers: z.number().int().min(0),
    closedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => `period:${data.period}`,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const decimal = z.string().regex(/^(0|[1-9]\d*)$/);

export const EscrowReleasedV1 = defineEvent({
  type: 'onecommons.ledger.escrow.released.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'A project’s escrow (allocations kept while it had no members) was released at a period close: to its members once it has some, or to the general fund after the unclaimed limit.',
  schema: z.object({
    projectId: z.uuid(),
    period: periodSchema,
    reason: z.enum(['members_registered', 'unclaimed_expired']),
    tokens: decimal,
    recipients: z.array(z.object({ account: z.string(), tokens: decimal })),
  }),
  subjectOf: (data) => `period:${data.period}`,
});

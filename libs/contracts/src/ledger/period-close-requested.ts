import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

/**
 * The ledger wants to close a period (its grace has passed, or an admin forced it): metering answers with the
 * period's watermark (UsagePeriodSealed) and refuses usage for it from then on.
 */
export const PeriodCloseRequestedV1 = defineEvent({
  type: 'onecommons.ledger.period.close-requested.v1',
  topic: TOPICS.ledgerEvents.name,
  description:
    'The ledger asked to close a period: metering seals it and publishes its usage watermark for the close.',
  schema: z.object({
    period: periodSchema,
    /** An admin closes it before its end plus grace. */
    forced: z.boolean(),
    requestedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => `period:${data.period}`,
});

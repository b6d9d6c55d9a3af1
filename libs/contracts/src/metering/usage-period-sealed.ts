import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const count = z.string().regex(/^(0|[1-9]\d*)$/);

/**
 * Metering's watermark for a period (docs/trust-rules.md): it stopped taking usage and corrections for `period`, and had
 * published exactly `announcements` UsageRecorded events for it by then. The ledger closes the period only once
 * it has applied that many; anything metering accepts about the period afterwards is a ClosedPeriodUsageCorrected.
 */
export const UsagePeriodSealedV1 = defineEvent({
  type: 'onecommons.metering.usage.period-sealed.v1',
  topic: TOPICS.meteringUsage.name,
  description:
    'Metering sealed a period: no more usage for it, and the number of UsageRecorded events it published for it.',
  schema: z.object({
    period: periodSchema,
    /** UsageRecorded events metering published for the period, corrections included, as a decimal string. */
    announcements: count,
    /** Why it sealed: the ledger asked to close the period (scheduled or forced), or the ledger closed it. */
    reason: z.enum(['close_requested', 'period_closed']),
    sealedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => `period:${data.period}`,
});

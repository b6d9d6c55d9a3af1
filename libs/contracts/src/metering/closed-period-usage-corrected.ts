import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

/**
 * A service corrected usage of a period metering had already sealed: the change is not in any UsageRecorded
 * (the period's watermark is final) and waits in the ledger for an adjustment of the closed period
 * (docs/trust-rules.md: the difference is posted in the current period, the closed one is never rewritten).
 */
export const ClosedPeriodUsageCorrectedV1 = defineEvent({
  type: 'onecommons.metering.usage.closed-period-corrected.v1',
  topic: TOPICS.meteringUsage.name,
  description:
    'A usage correction for a sealed (closed) period: the ledger adjusts that period by the difference it makes.',
  schema: z.object({
    subscriberId: z.uuid(),
    /** The sealed period the corrected event belongs to. */
    period: periodSchema,
    serviceId: z.uuid(),
    meter: z.string(),
    delta: z.string().regex(/^-?[1-9]\d{0,17}$/),
    correction: z.object({ source: z.string(), id: z.string() }),
    original: z.object({ source: z.string(), id: z.string(), quantity: z.string() }),
    correctedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriberId,
});

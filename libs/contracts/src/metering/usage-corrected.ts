import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

/**
 * A service corrected usage it reported, in a period metering has not sealed: the signed change counts in the
 * corrected event's own period (`period` = `original.period`; corrections from before #19 counted in the period
 * in which they arrived). Statements show it; the change itself is also in the period's UsageRecorded deltas
 * (and its watermark), so folding those alone stays exact. A correction of a sealed period is a
 * ClosedPeriodUsageCorrected instead.
 */
export const UsageCorrectedV1 = defineEvent({
  type: 'onecommons.metering.usage.corrected.v1',
  topic: TOPICS.meteringUsage.name,
  description:
    "A usage correction was applied to the corrected event's period (still open), referencing the event.",
  schema: z.object({
    subscriberId: z.uuid(),
    period: periodSchema,
    serviceId: z.uuid(),
    meter: z.string(),
    delta: z.string().regex(/^-?[1-9]\d{0,17}$/),
    correction: z.object({ source: z.string(), id: z.string() }),
    original: z.object({ source: z.string(), id: z.string(), period: periodSchema, quantity: z.string() }),
    correctedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriberId,
});

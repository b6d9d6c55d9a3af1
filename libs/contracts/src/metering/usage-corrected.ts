import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

/**
 * A service corrected usage it reported: the signed change counts in `period` (when the correction
 * arrived), while `original` says which event and period it corrects. Statements show it; the change
 * itself is also in the period's UsageRecorded deltas, so folding those alone stays exact.
 */
export const UsageCorrectedV1 = defineEvent({
  type: 'onecommons.metering.usage.corrected.v1',
  topic: TOPICS.meteringUsage.name,
  description: 'A usage correction was applied to the current period, referencing the corrected event.',
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

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const quantitySchema = z
  .string()
  .regex(/^-?(0|[1-9]\d{0,37})$/, { error: 'must be an integer as a decimal string' });

/**
 * Usage metering accepted, summed per (service, meter) for one subscriber and period: what one ingest
 * request added (each usage event counted once). Folding these gives metering's aggregates exactly.
 */
export const UsageRecordedV1 = defineEvent({
  type: 'onecommons.metering.usage.recorded.v1',
  topic: TOPICS.meteringUsage.name,
  description:
    'Accepted usage of one subscriber in one period, summed per service and meter (deltas to add).',
  schema: z.object({
    subscriberId: z.uuid(),
    period: periodSchema,
    usage: z.array(
      z.object({
        serviceId: z.uuid(),
        meter: z.string(),
        quantity: quantitySchema,
        events: z.number().int(),
      }),
    ),
    recordedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.subscriberId,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { weightSchema } from './fields.js';

export const MeterDefinedV1 = defineEvent({
  type: 'onecommons.catalog.meter.defined.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An admin defined or changed a meter and its weight in the allocation.',
  schema: z.object({ name: z.string(), weight: weightSchema }),
  subjectOf: (data) => `meter:${data.name}`,
});

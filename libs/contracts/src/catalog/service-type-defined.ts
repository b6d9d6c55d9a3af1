import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { bpsSchema } from './fields.js';

export const ServiceTypeDefinedV1 = defineEvent({
  type: 'onecommons.catalog.service-type.defined.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An admin defined or changed a service type and its default provider and developer shares.',
  schema: z.object({ name: z.string(), providerBps: bpsSchema, developerBps: bpsSchema }),
  subjectOf: (data) => `service-type:${data.name}`,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';
import { bpsSchema, weightSchema } from './fields.js';

/** The whole contract of one version: in force from `effectiveFrom` until a later version's period. */
export const ContractVersionPublishedV1 = defineEvent({
  type: 'onecommons.catalog.contract-version.published.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'A project published a version of its allocation contract, effective from a period.',
  schema: z.object({
    projectId: z.uuid(),
    version: z.number().int().min(1),
    effectiveFrom: periodSchema,
    dependenciesBps: bpsSchema,
    members: z.array(z.object({ account: z.uuid(), weight: weightSchema })),
  }),
  subjectOf: (data) => data.projectId,
});

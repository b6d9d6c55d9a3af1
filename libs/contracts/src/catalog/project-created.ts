import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

export const ProjectCreatedV1 = defineEvent({
  type: 'onecommons.catalog.project.created.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'A developer organization created a project; it has no contract (its share is escrowed) yet.',
  schema: z.object({
    projectId: z.uuid(),
    organizationId: z.uuid(),
    name: z.string(),
    packageNames: z.array(z.string()),
  }),
  subjectOf: (data) => data.projectId,
});

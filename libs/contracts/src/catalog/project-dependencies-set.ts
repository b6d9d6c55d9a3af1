import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { weightSchema } from './fields.js';

/** The project's complete dependency list after the change (not a delta). */
export const ProjectDependenciesSetV1 = defineEvent({
  type: 'onecommons.catalog.project-dependencies.set.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'A project replaced its list of dependencies (other projects) and their weights.',
  schema: z.object({
    projectId: z.uuid(),
    dependencies: z.array(z.object({ project: z.uuid(), weight: weightSchema })),
  }),
  subjectOf: (data) => data.projectId,
});

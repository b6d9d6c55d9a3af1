import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

export const AppRegisteredV1 = defineEvent({
  type: 'onecommons.catalog.app.registered.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An open-source app was registered (name, source repository, SPDX license).',
  schema: z.object({
    appId: z.uuid(),
    organizationId: z.uuid(),
    name: z.string(),
    repositoryUrl: z.string(),
    license: z.string(),
  }),
  subjectOf: (data) => data.appId,
});

import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { serviceStateSchema } from './service-state.js';

export const ServiceUpdatedV1 = defineEvent({
  type: 'onecommons.catalog.service.updated.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'A service changed (status, share overrides); the event carries its whole new state.',
  schema: serviceStateSchema,
  subjectOf: (data) => data.serviceId,
});

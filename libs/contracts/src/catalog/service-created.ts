import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { serviceStateSchema } from './service-state.js';

export const ServiceCreatedV1 = defineEvent({
  type: 'onecommons.catalog.service.created.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An operator created a service: an instance of an app, for a project, of a service type.',
  schema: serviceStateSchema,
  subjectOf: (data) => data.serviceId,
});

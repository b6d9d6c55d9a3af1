import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { agreementStateSchema } from './agreement-state.js';

export const AgreementMadeV1 = defineEvent({
  type: 'onecommons.catalog.agreement.made.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An operator agreed to give a project a developer share of its services.',
  schema: agreementStateSchema,
  subjectOf: (data) => data.projectId,
});

import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { agreementStateSchema } from './agreement-state.js';

export const AgreementUpdatedV1 = defineEvent({
  type: 'onecommons.catalog.agreement.updated.v1',
  topic: TOPICS.catalogEvents.name,
  description: 'An agreement changed (its share, or the project made it binding on every operator).',
  schema: agreementStateSchema,
  subjectOf: (data) => data.projectId,
});

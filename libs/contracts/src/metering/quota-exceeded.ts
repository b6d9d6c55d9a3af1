import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { quotaCrossingSchema } from './quota-fields.js';

export const QuotaExceededV1 = defineEvent({
  type: 'onecommons.metering.quota.exceeded.v1',
  topic: TOPICS.meteringEvents.name,
  description:
    'A subscriber reached 100% of a plan limit on a meter in a period (sent once per limit and period).',
  schema: quotaCrossingSchema,
  subjectOf: (data) => data.subscriberId,
});

import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';
import { bpsSchema } from './fields.js';

/**
 * docs/trust-rules.md "Nobody cuts another party's share alone": a change of terms that lowers another party's share
 * applies only from the next period, announced by these events (the notice). An event says which terms are in
 * force from `effectiveFrom` on; `cuts` names whose share they lower (empty: a scheduled cut was withdrawn).
 * Terms are public (anyone signed in reads services and agreements), so every party may subscribe.
 */
export const ServiceTermsScheduledV1 = defineEvent({
  type: 'onecommons.catalog.service.terms-scheduled.v1',
  topic: TOPICS.catalogEvents.name,
  description:
    'A service’s share overrides change from a later period (a cut to its providers’ or project’s share, with notice), or a scheduled cut was withdrawn.',
  schema: z.object({
    serviceId: z.uuid(),
    operatorId: z.uuid(),
    projectId: z.uuid().nullable(),
    effectiveFrom: periodSchema,
    providerBps: bpsSchema.nullable(),
    developerBps: bpsSchema.nullable(),
    previousProviderBps: bpsSchema.nullable(),
    previousDeveloperBps: bpsSchema.nullable(),
    cuts: z.array(z.enum(['providers', 'project'])),
  }),
  subjectOf: (data) => data.serviceId,
});

export const AgreementTermsScheduledV1 = defineEvent({
  type: 'onecommons.catalog.agreement.terms-scheduled.v1',
  topic: TOPICS.catalogEvents.name,
  description:
    'An agreement’s terms change from a later period (made binding on every operator, or the project’s share lowered, with notice), or a scheduled change was withdrawn.',
  schema: z.object({
    agreementId: z.uuid(),
    projectId: z.uuid(),
    operatorId: z.uuid(),
    effectiveFrom: periodSchema,
    developerBps: bpsSchema,
    binding: z.boolean(),
    previousDeveloperBps: bpsSchema,
    previousBinding: z.boolean(),
    cuts: z.array(z.enum(['operators', 'project'])),
  }),
  // The key of the agreement's other events: one partition keeps them in order.
  subjectOf: (data) => data.projectId,
});

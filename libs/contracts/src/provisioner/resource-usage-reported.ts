import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';
import { periodSchema } from '../periods.js';

const pointsSchema = z.string().regex(/^(0|[1-9]\d{0,37})$/, { error: 'must be a non-negative integer' });

/**
 * The resources one provider has given one service so far in a period: uptime of the service's servers
 * on the provider times their size's resource weight. `points` and `uptimeSeconds` are the period's
 * running totals (not deltas), so the newest report per (period, service, provider) is the truth and a
 * redelivered or replayed report changes nothing. The ledger uses `points` as the provider's weight in
 * step 2 of the period allocation.
 */
export const ResourceUsageReportedV1 = defineEvent({
  type: 'onecommons.provisioner.resource-usage.reported.v1',
  topic: TOPICS.provisionerEvents.name,
  description: 'Resource points a provider gave a service in a period so far (running total).',
  schema: z.object({
    serviceId: z.uuid(),
    /** The provider organization (`provider:<id>` in the allocation). */
    providerId: z.uuid(),
    period: periodSchema,
    points: pointsSchema,
    uptimeSeconds: pointsSchema,
    reportedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.serviceId,
});

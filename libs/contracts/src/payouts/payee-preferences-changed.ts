import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

/** A participant account that can be paid: providers and operators (organizations) and project members (accounts). */
export const payeeKeySchema = z
  .string()
  .regex(/^(provider|operator|member):[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

export const PayeePreferencesChangedV1 = defineEvent({
  type: 'onecommons.payouts.payee.preferences-changed.v1',
  topic: TOPICS.payoutsEvents.name,
  description:
    'A payee chose whether its allocations are redeemed for currency at each period close (auto-redeem, the default) or held as tokens.',
  schema: z.object({
    payee: payeeKeySchema,
    autoRedeem: z.boolean(),
    changedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.payee,
});

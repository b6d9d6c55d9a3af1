import { z } from 'zod';
import { defineEvent } from '../envelope/event-contract.js';
import { TOPICS } from '../envelope/topics.js';

/** A subscriber's plan as apps see it: the OpenID `plan` claim, and the data of plan-change notices. */
export const planClaimSchema = z.object({
  tier: z.enum(['free', 'premium']),
  /** The live subscription's status, or `none`. */
  status: z.enum(['none', 'incomplete', 'active', 'past_due', 'ended', 'failed']),
  /** When the current paid period ends (ISO 8601); null without a subscription. */
  period_end: z.iso.datetime().nullable(),
  cancel_at_period_end: z.boolean(),
});
export type PlanClaim = z.output<typeof planClaimSchema>;

/** The subscription events that change what apps see of a plan. */
export const PLAN_CHANGE_CAUSES = [
  'subscription.started',
  'subscription.renewed',
  'subscription.past-due',
  'subscription.cancelled',
  'subscription.ended',
] as const;

export const AppUserPlanChangedV1 = defineEvent({
  type: 'onecommons.identity.app-user.plan-changed.v1',
  topic: TOPICS.identityEvents.name,
  description:
    'The plan of a subscriber who signed in to an app with OneCommons, and granted it the `plan` scope, changed. ' +
    'One event per app (OpenID client): `sub` is the subscriber id of the app’s ID tokens, `plan` the plan as of ' +
    '`changedAt` (take the latest).',
  schema: z.object({
    /** The operator organization that registered the client. */
    organizationId: z.uuid(),
    serviceId: z.uuid(),
    clientId: z.string().min(1),
    sub: z.uuid(),
    plan: planClaimSchema,
    cause: z.enum(PLAN_CHANGE_CAUSES),
    changedAt: z.iso.datetime(),
  }),
  subjectOf: (data) => data.sub,
});

import { type PlanClaim } from '@onecommons/contracts';
import { type SubscriptionStatus } from './subscription.entity.js';

export interface LiveSubscriptionFacts {
  readonly status: SubscriptionStatus;
  readonly periodEnd: Date | null;
  readonly cancelAtPeriodEnd: boolean;
}

/**
 * The plan apps see (the OpenID `plan` claim, plan-change notices). Premium while a subscription is paid up
 * or in Stripe's retry window (`past_due`); one still waiting for its first payment (`incomplete`) is not yet.
 */
export function planClaimOf(live: LiveSubscriptionFacts | null): PlanClaim {
  if (!live) return { tier: 'free', status: 'none', period_end: null, cancel_at_period_end: false };
  return {
    tier: live.status === 'active' || live.status === 'past_due' ? 'premium' : 'free',
    status: live.status,
    period_end: live.periodEnd?.toISOString() ?? null,
    cancel_at_period_end: live.cancelAtPeriodEnd,
  };
}

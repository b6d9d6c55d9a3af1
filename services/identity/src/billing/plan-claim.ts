import { type SubscriptionStatus } from './subscription.entity.js';

/** The plan as apps see it in the OpenID `plan` claim. */
export interface PlanClaim {
  readonly tier: 'free' | 'premium';
  /** The live subscription's status, or `none`. */
  readonly status: SubscriptionStatus | 'none';
  /** When the paid period ends (ISO 8601); null without a subscription. */
  readonly period_end: string | null;
  readonly cancel_at_period_end: boolean;
}

export interface LiveSubscriptionFacts {
  readonly status: SubscriptionStatus;
  readonly periodEnd: Date | null;
  readonly cancelAtPeriodEnd: boolean;
}

/**
 * Premium while a subscription is paid up or in Stripe's retry window (`past_due`); a subscription still
 * waiting for its first payment (`incomplete`) is not premium yet.
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

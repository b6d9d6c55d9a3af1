import { type SubscriptionDto } from './dto.js';
import { type Subscription } from './subscription.entity.js';

export function toSubscriptionDto(subscription: Subscription): SubscriptionDto {
  return {
    id: subscription.id,
    plan: subscription.plan,
    status: subscription.status,
    currency: subscription.currency,
    amountMinor: subscription.amountMinor.toString(),
    period: subscription.period,
    periodEnd: subscription.periodEnd?.toISOString() ?? null,
    paidPeriod: subscription.paidPeriod,
    unpaidPeriod: subscription.unpaidPeriod,
    cancelAtPeriodEnd: subscription.cancelAtPeriodEnd,
    cancelledAt: subscription.cancelledAt?.toISOString() ?? null,
    endedAt: subscription.endedAt?.toISOString() ?? null,
    createdAt: subscription.createdAt.toISOString(),
  };
}

import { describe, expect, it } from '@jest/globals';
import { planClaimOf } from './plan-claim.js';

const periodEnd = new Date('2027-01-01T00:00:00.000Z');

describe('the plan claim apps receive', () => {
  it('is free without a live subscription', () => {
    expect(planClaimOf(null)).toEqual({
      tier: 'free',
      status: 'none',
      period_end: null,
      cancel_at_period_end: false,
    });
  });

  it.each([
    ['active', 'premium'],
    ['past_due', 'premium'],
    ['incomplete', 'free'],
  ] as const)('is %s → %s', (status, tier) => {
    expect(planClaimOf({ status, periodEnd, cancelAtPeriodEnd: true })).toEqual({
      tier,
      status,
      period_end: '2027-01-01T00:00:00.000Z',
      cancel_at_period_end: true,
    });
  });
});

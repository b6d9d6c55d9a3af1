import { describe, expect, it } from '@jest/globals';
import { lineOutcome } from './payout-batches.js';

const verified = {
  threshold_minor: null,
  account_id: '00000000-0000-4000-8000-000000000001',
  rail: 'stripe' as const,
  account_status: 'verified' as const,
  hold_reason: null,
};

describe('a payee’s line in a batch (DESIGN §6)', () => {
  it('pays a balance at or above the threshold', () => {
    expect(lineOutcome(1000n, 1000n, verified)).toEqual({ outcome: 'paid' });
    expect(lineOutcome(1001n, 1000n, verified)).toEqual({ outcome: 'paid' });
  });

  it('carries a balance below the threshold forward', () => {
    expect(lineOutcome(999n, 1000n, verified)).toEqual({
      outcome: 'carried',
      reason: 'below_threshold:1000',
    });
  });

  it('holds a balance under a hold, even above the threshold', () => {
    expect(lineOutcome(5000n, 1000n, { ...verified, hold_reason: 'fraud_review' })).toEqual({
      outcome: 'held',
      reason: 'fraud_review',
    });
  });

  it('holds a balance without a payout account, or with an unverified one', () => {
    expect(
      lineOutcome(5000n, 1000n, { ...verified, account_id: null, rail: null, account_status: null }),
    ).toEqual({
      outcome: 'held',
      reason: 'missing_payout_account',
    });
    expect(lineOutcome(5000n, 1000n, { ...verified, account_status: 'unverified' })).toEqual({
      outcome: 'held',
      reason: 'unverified_payout_account',
    });
  });

  it('holds a negative balance (an adjustment took back more than was left), whatever else holds', () => {
    expect(lineOutcome(-1n, 1000n, verified)).toEqual({ outcome: 'held', reason: 'negative_balance' });
    expect(lineOutcome(-500n, 1000n, { ...verified, hold_reason: 'fraud_review' })).toEqual({
      outcome: 'held',
      reason: 'negative_balance',
    });
  });
});

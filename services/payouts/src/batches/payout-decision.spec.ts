import { describe, expect, it } from '@jest/globals';
import { lineOutcome, nextPayoutStatus, type PayeeStanding, payoutThreshold } from './payout-decision.js';

const account = { id: '00000000-0000-4000-8000-000000000001', rail: 'stripe', status: 'verified' } as const;
const verified: PayeeStanding = { ownThresholdMinor: null, account, holdReason: null };

describe('a payee’s line in a batch (docs/payout-rules.md)', () => {
  it('pays a balance at or above the threshold, to the verified account', () => {
    expect(lineOutcome(1000n, 1000n, verified)).toEqual({ outcome: 'paid', account });
    expect(lineOutcome(1001n, 1000n, verified)).toEqual({ outcome: 'paid', account });
  });

  it('carries a balance below the threshold forward', () => {
    expect(lineOutcome(999n, 1000n, verified)).toEqual({
      outcome: 'carried',
      reason: 'below_threshold:1000',
    });
  });

  it('holds a balance under a hold, even above the threshold', () => {
    expect(lineOutcome(5000n, 1000n, { ...verified, holdReason: 'fraud_review' })).toEqual({
      outcome: 'held',
      reason: 'fraud_review',
    });
  });

  it('holds a balance without a payout account, or with an unverified one', () => {
    expect(lineOutcome(5000n, 1000n, { ...verified, account: null })).toEqual({
      outcome: 'held',
      reason: 'missing_payout_account',
    });
    expect(lineOutcome(5000n, 1000n, { ...verified, account: { ...account, status: 'unverified' } })).toEqual(
      {
        outcome: 'held',
        reason: 'unverified_payout_account',
      },
    );
  });

  it('holds a negative balance (an adjustment took back more than was left), whatever else holds', () => {
    expect(lineOutcome(-1n, 1000n, verified)).toEqual({ outcome: 'held', reason: 'negative_balance' });
    expect(lineOutcome(-500n, 1000n, { ...verified, holdReason: 'fraud_review' })).toEqual({
      outcome: 'held',
      reason: 'negative_balance',
    });
  });
});

describe('the threshold a balance must reach', () => {
  it('is the platform’s, or the payee’s own when it is higher', () => {
    expect(payoutThreshold(1000n, verified)).toBe(1000n);
    expect(payoutThreshold(1000n, { ...verified, ownThresholdMinor: 500n })).toBe(1000n);
    expect(payoutThreshold(1000n, { ...verified, ownThresholdMinor: 2500n })).toBe(2500n);
  });
});

describe('what a payee’s view says of the next batch', () => {
  const paid = lineOutcome(5000n, 1000n, verified);
  const carried = lineOutcome(10n, 1000n, verified);
  const owing = lineOutcome(-10n, 1000n, verified);

  it('says each currency is decided on its own: one currency owing does not hold another that will pay', () => {
    expect(nextPayoutStatus([owing, paid])).toEqual({ status: 'will_pay', reason: null });
    expect(nextPayoutStatus([carried, paid])).toEqual({ status: 'will_pay', reason: null });
  });

  it('names the first held line, then the first line below its threshold, with the batch’s reason codes', () => {
    expect(nextPayoutStatus([carried, owing])).toEqual({ status: 'held', reason: 'negative_balance' });
    expect(nextPayoutStatus([carried])).toEqual({
      status: 'below_threshold',
      reason: 'below_threshold:1000',
    });
  });

  it('has nothing payable without a line', () => {
    expect(nextPayoutStatus([])).toEqual({ status: 'nothing_payable', reason: null });
  });
});

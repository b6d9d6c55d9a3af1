import { describe, expect, it } from '@jest/globals';
import { type LedgerPayables, type PayoutsSide, reconcilePayoutReports } from './payouts-reconciliation.js';

const A = 'operator:00000000-0000-4000-8000-00000000000a';
const B = 'member:00000000-0000-4000-8000-00000000000b';
const C = 'provider:00000000-0000-4000-8000-00000000000c';
const PAYOUT_A = '00000000-0000-7000-8000-0000000000a1';

/** A settled period: A paid 1500 by Stripe, B carried 400, C held 2000. */
function settled(): { ledger: LedgerPayables; payouts: PayoutsSide } {
  return {
    ledger: {
      period: '2026-10',
      currency: 'EUR',
      redeemed: { [A]: '1500', [B]: '400', [C]: '2000' },
      adjusted: {},
      payable: { [A]: '0', [B]: '400', [C]: '2000' },
      inTransit: '0',
      disbursed: '1500',
    },
    payouts: {
      period: '2026-10',
      currency: 'EUR',
      credits: { [A]: '1500', [B]: '400', [C]: '2000' },
      adjustments: {},
      payable: { [A]: '0', [B]: '400', [C]: '2000' },
      inTransit: '0',
      disbursed: '1500',
      batch: { exists: true, carried: '400', held: '2000', owing: '0', linesPaid: '1500' },
      payouts: [
        {
          id: PAYOUT_A,
          payee: A,
          amountMinor: '1500',
          state: 'succeeded',
          rail: 'stripe',
          reference: 'tr_1',
        },
      ],
      transfers: [{ reference: 'tr_1', payoutId: PAYOUT_A, amountMinor: '1500', reversedMinor: '0' }],
    },
  };
}

describe('reconcilePayoutReports', () => {
  it('finds a settled period consistent and totals paid, carried, held and redeemed', () => {
    const { ledger, payouts } = settled();
    expect(reconcilePayoutReports(ledger, payouts)).toMatchObject({
      payouts: 1,
      paid: '1500',
      carried: '400',
      held: '2000',
      redeemed: '3900',
      duplicates: 0,
      consistent: true,
      problems: [],
    });
  });

  it('counts a second rail transfer for one payout as a duplicate', () => {
    const { ledger, payouts } = settled();
    const twice = {
      ...payouts,
      transfers: [
        ...payouts.transfers,
        { reference: 'tr_2', payoutId: PAYOUT_A, amountMinor: '1500', reversedMinor: '0' },
      ],
    };
    const result = reconcilePayoutReports(ledger, twice);
    expect(result.duplicates).toBe(1);
    expect(result.consistent).toBe(false);
  });

  it('counts a transfer no payout made as a duplicate', () => {
    const { ledger, payouts } = settled();
    const stray = {
      ...payouts,
      transfers: [
        ...payouts.transfers,
        { reference: 'tr_9', payoutId: null, amountMinor: '10', reversedMinor: '0' },
      ],
    };
    expect(reconcilePayoutReports(ledger, stray)).toMatchObject({ duplicates: 1, consistent: false });
  });

  it('flags a payable balance the ledger and payouts disagree on', () => {
    const { ledger, payouts } = settled();
    const result = reconcilePayoutReports({ ...ledger, payable: { ...ledger.payable, [B]: '399' } }, payouts);
    expect(result.consistent).toBe(false);
    expect(result.problems).toEqual([`payable of ${B}: ledger 399, payouts 400`]);
  });

  it('flags a paid payout the rail has no transfer for, and a failed one the rail paid', () => {
    const { ledger, payouts } = settled();
    expect(reconcilePayoutReports(ledger, { ...payouts, transfers: [] }).consistent).toBe(false);
    const failed = { ...payouts, payouts: [{ ...payouts.payouts[0]!, state: 'failed' }] };
    const result = reconcilePayoutReports(ledger, failed);
    expect(result.problems).toContain(`payout ${PAYOUT_A} is failed but the rail transferred 1500`);
  });

  it('flags redemptions of a period that has no batch yet', () => {
    const { ledger, payouts } = settled();
    const result = reconcilePayoutReports(ledger, { ...payouts, batch: { ...payouts.batch, exists: false } });
    expect(result.problems).toContain('the period has redemptions but no payout batch yet');
  });

  it('compares the adjustments posted in the period, and a payee an adjustment left owing', () => {
    const { ledger, payouts } = settled();
    // A was paid 1500, then an adjustment took back 300 of it: its balance is -300 on both sides.
    const adjusted = {
      ledger: { ...ledger, adjusted: { [A]: '-300' }, payable: { ...ledger.payable, [A]: '-300' } },
      payouts: { ...payouts, adjustments: { [A]: '-300' }, payable: { ...payouts.payable, [A]: '-300' } },
    };
    expect(reconcilePayoutReports(adjusted.ledger, adjusted.payouts)).toMatchObject({
      adjusted: '-300',
      consistent: true,
    });
    expect(
      reconcilePayoutReports(adjusted.ledger, {
        ...adjusted.payouts,
        adjustments: {},
        payable: payouts.payable,
      }),
    ).toMatchObject({
      consistent: false,
      problems: [`adjusted of ${A}: ledger -300, payouts 0`, `payable of ${A}: ledger -300, payouts 0`],
    });
  });
});

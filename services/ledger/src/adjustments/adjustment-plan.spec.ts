import { describe, expect, it } from '@jest/globals';
import { allocatePeriod, parseAllocationInput } from '@onecommons/allocation';
import fc from 'fast-check';
import { sumsPerUnit, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { TreasuryAccount } from '../treasury/accounts.js';
import { INITIAL_PRICE, type Price, reserveCovers } from '../treasury/treasury-math.js';
import {
  AdjustmentPlanError,
  allocationDifferences,
  type AllocationRow,
  type LedgerState,
  planAdjustment,
} from './adjustment-plan.js';
import { correctedInput } from './corrected-input.js';

const CUR = 'EUR';

function state(overrides: Partial<LedgerState> = {}): LedgerState {
  return {
    tokenBalances: new Map(),
    optedOut: new Set(),
    escrowReleases: new Map(),
    price: INITIAL_PRICE,
    currency: CUR,
    ...overrides,
  };
}

const rows = (entries: Record<string, bigint>): AllocationRow[] =>
  Object.entries(entries).map(([account, amount]) => ({ account, amount }));

/** Balances after the plan's postings, per `account|unit`. */
function applied(plan: ReturnType<typeof planAdjustment>, before: ReadonlyMap<string, bigint>) {
  const balances = new Map([...before].map(([account, tokens]) => [`${account}|${TOKEN_UNIT}`, tokens]));
  for (const posting of plan.postings) {
    const key = `${posting.account}|${posting.unit}`;
    balances.set(key, (balances.get(key) ?? 0n) + posting.amount);
  }
  return balances;
}

describe('the difference between two allocations', () => {
  it('is every account whose amount changed, by key, summing to zero', () => {
    expect(
      allocationDifferences(
        rows({ 'fund:general': 50n, 'operator:b': 30n, 'operator:a': 20n }),
        rows({ 'fund:general': 50n, 'operator:a': 45n, 'provider:c': 5n }),
      ),
    ).toEqual([
      { account: 'operator:a', tokens: 25n },
      { account: 'operator:b', tokens: -30n },
      { account: 'provider:c', tokens: 5n },
    ]);
  });
});

describe('an adjustment’s postings (docs/trust-rules.md)', () => {
  it('redeems a payee’s gain and buys back, from its payable, the redeemed tokens another payee loses', () => {
    const plan = planAdjustment(
      [
        { account: 'operator:gains', tokens: 2_500_000n },
        { account: 'operator:loses', tokens: -2_500_000n },
      ],
      state(),
    );
    expect(plan.postings).toEqual([
      { account: 'operator:gains', unit: TOKEN_UNIT, amount: 2_500_000n },
      { account: 'operator:gains', unit: TOKEN_UNIT, amount: -2_500_000n },
      { account: TreasuryAccount.issued, unit: TOKEN_UNIT, amount: 2_500_000n },
      { account: TreasuryAccount.reserve, unit: CUR, amount: -2n },
      { account: 'payable:operator:gains', unit: CUR, amount: 2n },
      { account: 'operator:loses', unit: TOKEN_UNIT, amount: -2_500_000n },
      { account: TreasuryAccount.issued, unit: TOKEN_UNIT, amount: -2_500_000n },
      { account: 'operator:loses', unit: TOKEN_UNIT, amount: 2_500_000n },
      // Rounded up where the redemption rounds down: the reserve keeps the fraction.
      { account: TreasuryAccount.reserve, unit: CUR, amount: 3n },
      { account: 'payable:operator:loses', unit: CUR, amount: -3n },
    ]);
    expect(plan.payables).toEqual([
      { payee: 'operator:gains', tokens: 2_500_000n, amountMinor: 2n },
      { payee: 'operator:loses', tokens: -2_500_000n, amountMinor: -3n },
    ]);
  });

  it('takes a loss from tokens a payee still holds, and leaves a gain of less than a minor unit as tokens', () => {
    const plan = planAdjustment(
      [
        { account: 'member:dust', tokens: 400_000n },
        { account: 'member:holder', tokens: -400_000n },
      ],
      state({
        tokenBalances: new Map([['member:holder', 9_000_000n]]),
        optedOut: new Set(['member:holder']),
      }),
    );
    expect(plan.postings).toEqual([
      { account: 'member:dust', unit: TOKEN_UNIT, amount: 400_000n },
      { account: 'member:holder', unit: TOKEN_UNIT, amount: -400_000n },
    ]);
    expect(plan.payables).toEqual([]);
  });

  it('keeps the fund’s gain as tokens, backed by the currency the losing payee returns', () => {
    const plan = planAdjustment(
      [
        { account: 'fund:general', tokens: 7_000_000n },
        { account: 'provider:p', tokens: -7_000_000n },
      ],
      state({ price: { num: 3n, den: 2n } }),
    );
    const after = applied(plan, new Map());
    expect(after.get(`fund:general|${TOKEN_UNIT}`)).toBe(7_000_000n);
    expect(after.get(`provider:p|${TOKEN_UNIT}`)).toBe(0n);
    expect(after.get(`${TreasuryAccount.issued}|${TOKEN_UNIT}`)).toBe(-7_000_000n);
    expect(after.get(`payable:provider:p|${CUR}`)).toBe(-11n); // ceil(7 × 1.5)
    expect(after.get(`${TreasuryAccount.reserve}|${CUR}`)).toBe(11n);
  });

  it('takes what a released escrow no longer holds back from its members, by what each received', () => {
    const plan = planAdjustment(
      [
        { account: 'escrow:proj', tokens: -9_000_000n },
        { account: 'operator:o', tokens: 9_000_000n },
      ],
      state({
        tokenBalances: new Map([
          ['escrow:proj', 3_000_000n],
          ['member:a', 0n],
        ]),
        escrowReleases: new Map([
          ['escrow:proj', rows({ 'member:a': 20_000_000n, 'member:b': 10_000_000n })],
        ]),
      }),
    );
    const after = applied(plan, new Map([['escrow:proj', 3_000_000n]]));
    expect(after.get(`escrow:proj|${TOKEN_UNIT}`)).toBe(0n);
    expect(plan.payables).toEqual([
      { payee: 'member:a', tokens: -4_000_000n, amountMinor: -4n },
      { payee: 'member:b', tokens: -2_000_000n, amountMinor: -2n },
      { payee: 'operator:o', tokens: 9_000_000n, amountMinor: 9n },
    ]);
    expect(() =>
      planAdjustment(
        [
          { account: 'escrow:proj', tokens: -9_000_000n },
          { account: 'operator:o', tokens: 9_000_000n },
        ],
        state(),
      ),
    ).toThrow(AdjustmentPlanError);
  });

  it('balances per unit, leaves no account but treasury:issued negative in uCC, and keeps the reserve covering', () => {
    const accounts = ['fund:general', 'escrow:e', 'member:m', 'operator:o', 'provider:p'];
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: -50_000_000n, max: 50_000_000n }), {
          minLength: accounts.length - 1,
          maxLength: accounts.length - 1,
        }),
        fc.array(fc.bigInt({ min: 0n, max: 60_000_000n }), {
          minLength: accounts.length,
          maxLength: accounts.length,
        }),
        fc.subarray(['member:m', 'operator:o', 'provider:p']),
        fc.record({ num: fc.bigInt({ min: 1n, max: 1_000n }), den: fc.bigInt({ min: 1n, max: 1_000n }) }),
        (moves, held, optedOut, price: Price) => {
          const last = -moves.reduce((sum, move) => sum + move, 0n);
          const differences = [...moves, last]
            .map((tokens, index) => ({ account: accounts[index] as string, tokens }))
            .filter((row) => row.tokens !== 0n);
          // The fund and escrows hold at least what they lose (they never pay theirs out).
          const balances = new Map(
            accounts.map((account, index) => {
              const loss = -(differences.find((row) => row.account === account)?.tokens ?? 0n);
              const base = held[index] as bigint;
              return [account, isHolder(account) && loss > base ? loss : base] as const;
            }),
          );
          const plan = planAdjustment(
            differences,
            state({ tokenBalances: balances, optedOut: new Set(optedOut), price }),
          );
          for (const sum of sumsPerUnit(plan.postings).values()) expect(sum).toBe(0n);
          const after = applied(plan, balances);
          for (const [key, value] of after)
            if (key.endsWith(`|${TOKEN_UNIT}`) && !key.startsWith(TreasuryAccount.issued))
              expect(value).toBeGreaterThanOrEqual(0n);
          const reserve = after.get(`${TreasuryAccount.reserve}|${CUR}`) ?? 0n;
          const issued = -(after.get(`${TreasuryAccount.issued}|${TOKEN_UNIT}`) ?? 0n);
          expect(reserveCovers(reserve, issued, price)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

const isHolder = (account: string) => account === 'fund:general' || account.startsWith('escrow:');

describe('the worked example of docs/money-rules.md (Adjusting a closed period)', () => {
  const close = parseAllocationInput({
    period: '2026-10',
    policy: { generalFundBps: 500, maxDependencyDepth: 3 },
    meters: { active_seconds: 1 },
    serviceTypes: { 'web-app': { providerBps: 0, developerBps: 0 } },
    subscribers: [{ id: 'alice', tokens: '1000000000' }],
    usage: [
      { subscriber: 'alice', service: 'cloud-1', meter: 'active_seconds', quantity: '600' },
      { subscriber: 'alice', service: 'wiki-1', meter: 'active_seconds', quantity: '400' },
    ],
    services: [
      { id: 'cloud-1', type: 'web-app', operator: 'op-north', project: null, providers: [] },
      { id: 'wiki-1', type: 'web-app', operator: 'op-south', project: null, providers: [] },
    ],
    projects: [],
    agreements: [],
  });

  it('moves exactly the difference, at the current price, rounding the debit up', () => {
    if (!close.ok) throw new Error(close.error.reason);
    const original = allocatePeriod(close.input);
    expect(original.allocations).toEqual(
      rows({
        'fund:general': 50_000_000n,
        'operator:op-north': 570_000_000n,
        'operator:op-south': 380_000_000n,
      }),
    );
    const corrected = correctedInput(
      close.input,
      [
        {
          serviceId: 'cloud-1',
          source: '/cloud-1',
          id: 'fix-1',
          subscriberId: 'alice',
          meter: 'active_seconds',
          delta: -499n,
        },
      ],
      close.input.services,
    );
    const adjusted = allocatePeriod(corrected.input);
    expect(adjusted.allocations).toEqual(
      rows({
        'fund:general': 50_000_000n,
        'operator:op-north': 191_516_966n,
        'operator:op-south': 758_483_034n,
      }),
    );
    const differences = allocationDifferences(original.allocations, adjusted.allocations);
    expect(differences).toEqual([
      { account: 'operator:op-north', tokens: -378_483_034n },
      { account: 'operator:op-south', tokens: 378_483_034n },
    ]);
    const plan = planAdjustment(differences, state({ price: { num: 11n, den: 10n } }));
    expect(plan.payables).toEqual([
      { payee: 'operator:op-north', tokens: -378_483_034n, amountMinor: -417n },
      { payee: 'operator:op-south', tokens: 378_483_034n, amountMinor: 416n },
    ]);
    expect(applied(plan, new Map()).get(`${TreasuryAccount.reserve}|${CUR}`)).toBe(1n);
  });
});

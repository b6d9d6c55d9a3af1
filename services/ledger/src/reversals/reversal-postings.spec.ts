import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { assertBalanced, type Posting, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { subscriberEscrow, TreasuryAccount } from '../treasury/accounts.js';
import { defaultPrice, mintFor, proveReserve, reserveCovers } from '../treasury/treasury-math.js';
import {
  type MintedPayment,
  outflowTransaction,
  reinstatementTransaction,
  type ReversalContext,
  ReversalError,
  type ReversalRecord,
} from './reversal-postings.js';

const EUR = 'EUR';
const ESCROW = subscriberEscrow('s1', '2031-03');
const payment = (paid: bigint, tokens: bigint, minted = true): MintedPayment => ({
  paymentId: 'p1',
  subscriberId: 's1',
  escrowPeriod: '2031-03',
  paid,
  tokens,
  currency: minted ? EUR : 'USD',
  minted,
});
const open = (escrowBalance: bigint, reserveCanBear: bigint): ReversalContext => ({
  periodClosed: false,
  currentPeriod: '2031-03',
  escrowBalance,
  reserveCanBear,
});
const closed = (reserveCanBear: bigint): ReversalContext => ({
  periodClosed: true,
  currentPeriod: '2031-04',
  escrowBalance: 0n,
  reserveCanBear,
});
const refund = (key: string, amount: bigint) => ({
  key,
  kind: 'refund' as const,
  amount,
  sourceId: key,
  reference: `re_${key}`,
  reason: 'requested_by_customer',
});

/** Applies postings to balances, checking each transaction is balanced. */
class Book {
  readonly balances = new Map<string, bigint>();
  post(postings: readonly Posting[]) {
    assertBalanced({ key: 'k', kind: 'k', period: null, memo: {}, postings });
    for (const posting of postings) {
      const key = `${posting.account}|${posting.unit}`;
      this.balances.set(key, (this.balances.get(key) ?? 0n) + posting.amount);
    }
  }
  of(account: string, unit: string) {
    return this.balances.get(`${account}|${unit}`) ?? 0n;
  }
}

describe('a refund before the close', () => {
  it('burns ceil(T × R / F) cumulatively: 300 then 700 of 1000 burn exactly what the payment minted', () => {
    const paid = payment(1_000n, 818_181_818n);
    const first = outflowTransaction(
      paid,
      { reversed: 0n, burned: 0n },
      refund('a', 300n),
      open(818_181_818n, 5_000n),
    );
    // ceil(818181818 × 300 / 1000) = ceil(245454545.4) = 245454546.
    expect(first.record).toEqual({
      effect: 'tokens_burned',
      amount: 300n,
      tokensBurned: 245_454_546n,
      reserveMinor: 300n,
      shortfallMinor: 0n,
      period: '2031-03',
    });
    expect(first.transaction.postings).toEqual([
      { account: TreasuryAccount.reserve, unit: EUR, amount: -300n },
      { account: TreasuryAccount.paymentsRefunded, unit: EUR, amount: 300n },
      { account: ESCROW, unit: TOKEN_UNIT, amount: -245_454_546n },
      { account: TreasuryAccount.issued, unit: TOKEN_UNIT, amount: 245_454_546n },
    ]);
    const rest = outflowTransaction(
      paid,
      { reversed: 300n, burned: 245_454_546n },
      refund('b', 700n),
      open(818_181_818n - 245_454_546n, 4_700n),
    );
    expect(rest.record.tokensBurned).toBe(818_181_818n - 245_454_546n);
  });

  it('cumulates to exactly the minted tokens over any split of the payment, never burning more than the escrow', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 8 }),
        (paid, tokens, weights) => {
          const total = weights.reduce((sum, weight) => sum + BigInt(weight), 0n);
          const parts = weights.map((weight) => (paid * BigInt(weight)) / total);
          parts[parts.length - 1]! += paid - parts.reduce((sum, part) => sum + part, 0n);
          let soFar = { reversed: 0n, burned: 0n };
          for (const [index, part] of parts.entries()) {
            if (part === 0n) continue;
            const { record } = outflowTransaction(
              payment(paid, tokens),
              soFar,
              refund(`r${index}`, part),
              open(tokens - soFar.burned, paid),
            );
            expect(record.tokensBurned).toBeGreaterThanOrEqual(0n);
            expect(record.tokensBurned).toBeLessThanOrEqual(tokens - soFar.burned);
            soFar = { reversed: soFar.reversed + part, burned: soFar.burned + record.tokensBurned };
          }
          expect(soFar).toEqual({ reversed: paid, burned: tokens });
        },
      ),
    );
  });

  it('burns only what the escrow still holds', () => {
    const { record } = outflowTransaction(
      payment(1_000n, 1_000n),
      { reversed: 0n, burned: 0n },
      refund('a', 1_000n),
      open(400n, 1_000n),
    );
    expect(record.tokensBurned).toBe(400n);
  });

  it('refuses to reverse more than the payment paid', () => {
    expect(() =>
      outflowTransaction(
        payment(500n, 1n),
        { reversed: 400n, burned: 0n },
        refund('a', 101n),
        open(1n, 500n),
      ),
    ).toThrow(ReversalError);
  });
});

describe('a refund after the close', () => {
  it('is a loss of the reserve, posted in the current period; tokens stay outstanding', () => {
    const { record, transaction } = outflowTransaction(
      payment(1_000n, 10n),
      { reversed: 0n, burned: 0n },
      refund('a', 400n),
      closed(3_000n),
    );
    expect(record).toMatchObject({
      effect: 'reserve_loss',
      tokensBurned: 0n,
      reserveMinor: 400n,
      shortfallMinor: 0n,
    });
    expect(transaction.period).toBe('2031-04');
    expect(transaction.postings).toEqual([
      { account: TreasuryAccount.reserve, unit: EUR, amount: -400n },
      { account: TreasuryAccount.refundLosses, unit: EUR, amount: 400n },
    ]);
  });

  it('takes from the reserve at most what it can bear; the platform advances the rest', () => {
    const { record, transaction } = outflowTransaction(
      payment(1_000n, 10n),
      { reversed: 0n, burned: 0n },
      refund('a', 1_000n),
      closed(250n),
    );
    expect(record).toMatchObject({ reserveMinor: 250n, shortfallMinor: 750n });
    expect(transaction.postings).toEqual([
      { account: TreasuryAccount.reserve, unit: EUR, amount: -250n },
      { account: TreasuryAccount.refundShortfall, unit: EUR, amount: -750n },
      { account: TreasuryAccount.refundLosses, unit: EUR, amount: 1_000n },
    ]);
  });

  it('with the price cut to reserve / outstanding, the reserve covers every holder again', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 12n }), { minLength: 1, maxLength: 10 }),
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        (holdings, reserve) => {
          const outstanding = holdings.reduce((sum, holding) => sum + holding, 0n);
          const price = defaultPrice(reserve, outstanding);
          expect(reserveCovers(reserve, outstanding, price)).toBe(true);
          expect(proveReserve({ reserve, holdings, price }).holds).toBe(true);
        },
      ),
    );
  });
});

describe('a dispute won', () => {
  const paid = payment(1_000n, mintFor(1_000n, { num: 11n, den: 10n }, 1_000n).tokens);
  const withdrawal = {
    key: 'dispute-withdrawal:d1',
    kind: 'dispute_withdrawal' as const,
    amount: 600n,
    sourceId: 'd1',
    reference: 'dp_1',
    reason: 'fraudulent',
  };
  const reinstatement = {
    ...withdrawal,
    key: 'dispute-reinstatement:d1',
    kind: 'dispute_reinstatement' as const,
  };

  it('before the close re-mints exactly the burned tokens: withdrawal and reinstatement cancel out', () => {
    const book = new Book();
    const out = outflowTransaction(paid, { reversed: 0n, burned: 0n }, withdrawal, open(paid.tokens, 1_000n));
    book.post(out.transaction.postings);
    const back = reinstatementTransaction(
      paid,
      out.record,
      reinstatement,
      open(paid.tokens - out.record.tokensBurned, 400n),
    );
    book.post(back.transaction.postings);
    expect(back.record).toMatchObject({ effect: 'tokens_reminted', tokensBurned: -out.record.tokensBurned });
    expect([...book.balances.values()].every((balance) => balance === 0n)).toBe(true);
  });

  it('after the close returns the currency to the reserve (from the refunded or the loss account), not the tokens', () => {
    for (const closedAt of ['withdrawn before it', 'withdrawn after it'] as const) {
      const book = new Book();
      const before = closedAt === 'withdrawn before it';
      const out = outflowTransaction(
        paid,
        { reversed: 0n, burned: 0n },
        withdrawal,
        before ? open(paid.tokens, 1_000n) : closed(1_000n),
      );
      book.post(out.transaction.postings);
      const back = reinstatementTransaction(paid, out.record as ReversalRecord, reinstatement, closed(400n));
      book.post(back.transaction.postings);
      expect(back.record).toMatchObject({ effect: 'reserve_regained', tokensBurned: 0n, period: '2031-04' });
      expect(book.of(TreasuryAccount.reserve, EUR)).toBe(0n);
      expect(book.of(TreasuryAccount.paymentsRefunded, EUR)).toBe(0n);
      expect(book.of(TreasuryAccount.refundLosses, EUR)).toBe(0n);
      expect(book.of(ESCROW, TOKEN_UNIT)).toBe(before ? -out.record.tokensBurned : 0n);
    }
  });
});

describe('a payment held on suspense (another currency)', () => {
  it('returns from suspense, touching neither the reserve nor any tokens', () => {
    const { transaction, record } = outflowTransaction(
      payment(500n, 0n, false),
      { reversed: 0n, burned: 0n },
      refund('a', 200n),
      closed(0n),
    );
    expect(record.effect).toBe('suspense_returned');
    expect(transaction.postings).toEqual([
      { account: TreasuryAccount.foreignCurrencySuspense, unit: 'USD', amount: -200n },
      { account: TreasuryAccount.paymentsRefunded, unit: 'USD', amount: 200n },
    ]);
  });
});

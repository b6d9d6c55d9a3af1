import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  assertBalanced,
  type LedgerTransaction,
  sumsPerUnit,
  TOKEN_UNIT,
} from '../journal/ledger-transaction.js';
import { subscriberEscrow, TreasuryAccount } from './accounts.js';
import { mintTransaction, redeemTransaction, suspenseTransaction } from './treasury-postings.js';
import { defaultPrice, higherPrice, INITIAL_PRICE, type Price, proveReserve } from './treasury-math.js';

const EUR = 'EUR';

/** An in-memory treasury with the service's rules: price fixed by a period's first mint, late payments at the newest price. */
class Book {
  readonly balances = new Map<string, bigint>();
  readonly prices = new Map<string, Price>();
  constructor(private readonly reserveBps: bigint) {}

  balance(account: string, unit: string): bigint {
    return this.balances.get(`${account}|${unit}`) ?? 0n;
  }

  post(transaction: LedgerTransaction): void {
    assertBalanced(transaction);
    for (const posting of transaction.postings) {
      const key = `${posting.account}|${posting.unit}`;
      this.balances.set(key, (this.balances.get(key) ?? 0n) + posting.amount);
    }
  }

  highest(): Price {
    return [...this.prices.values()].reduce(higherPrice, INITIAL_PRICE);
  }

  pay(subscriberId: string, period: string, amountMinor: bigint): void {
    let price = this.prices.get(period);
    if (!price) {
      price = defaultPrice(
        this.balance(TreasuryAccount.reserve, EUR),
        -this.balance(TreasuryAccount.issued, TOKEN_UNIT),
      );
      this.prices.set(period, price);
    }
    const payment = { paymentId: randomUUID(), subscriberId, period, amountMinor, currency: EUR };
    this.post(mintTransaction(payment, higherPrice(price, this.highest()), this.reserveBps).transaction);
  }

  redeem(holder: string, period: string, fraction: number): void {
    const price = this.prices.get(period);
    const held = this.balance(holder, TOKEN_UNIT);
    const tokens = (held * BigInt(fraction)) / 100n;
    if (!price || tokens <= 0n) return;
    this.post(redeemTransaction({ key: randomUUID(), holder, period, tokens }, price, EUR).transaction);
  }

  proof() {
    const holdings = [...this.balances.entries()]
      .filter(
        ([key, value]) =>
          key.endsWith(`|${TOKEN_UNIT}`) && !key.startsWith(`${TreasuryAccount.issued}|`) && value > 0n,
      )
      .map(([, value]) => value);
    return proveReserve({
      reserve: this.balance(TreasuryAccount.reserve, EUR),
      holdings,
      price: this.highest(),
    });
  }
}

describe('treasury transactions', () => {
  it('a payment puts the currency in the reserve and the tokens in the period escrow', () => {
    const { transaction, tokens } = mintTransaction(
      { paymentId: 'p1', subscriberId: 's1', period: '2026-03', amountMinor: 1_000n, currency: EUR },
      INITIAL_PRICE,
      1_000n,
    );
    expect(tokens).toBe(900_000_000n);
    expect(transaction.key).toBe('payment:p1');
    expect(transaction.postings).toEqual([
      { account: 'payments:received', unit: EUR, amount: -1_000n },
      { account: 'treasury:reserve', unit: EUR, amount: 1_000n },
      { account: 'treasury:issued', unit: TOKEN_UNIT, amount: -900_000_000n },
      { account: subscriberEscrow('s1', '2026-03'), unit: TOKEN_UNIT, amount: 900_000_000n },
    ]);
    expect([...sumsPerUnit(transaction.postings).values()]).toEqual([0n, 0n]);
  });

  it('a payment in another currency goes to suspense in its own unit and mints nothing', () => {
    const transaction = suspenseTransaction({
      paymentId: 'p2',
      subscriberId: 's1',
      period: '2026-03',
      amountMinor: 500n,
      currency: 'USD',
    });
    expect(transaction.postings).toEqual([
      { account: 'payments:received', unit: 'USD', amount: -500n },
      { account: 'suspense:foreign-currency', unit: 'USD', amount: 500n },
    ]);
    expect(transaction.postings.some((posting) => posting.unit === TOKEN_UNIT)).toBe(false);
  });

  it('a redemption burns the tokens and pays the floored value; the rest stays in the reserve', () => {
    const { transaction, paid } = redeemTransaction(
      { key: 'redeem:1', holder: 'member:a', period: '2026-03', tokens: 2_333_333n },
      { num: 3n, den: 1n },
      EUR,
    );
    expect(paid).toBe(6n);
    expect(transaction.postings).toEqual([
      { account: 'member:a', unit: TOKEN_UNIT, amount: -2_333_333n },
      { account: 'treasury:issued', unit: TOKEN_UNIT, amount: 2_333_333n },
      { account: 'treasury:reserve', unit: EUR, amount: -6n },
      { account: 'payable:member:a', unit: EUR, amount: 6n },
    ]);
  });

  it('refuses an unbalanced transaction, naming the unit and the sum', () => {
    expect(() =>
      assertBalanced({
        key: 'bad',
        kind: 'test',
        period: null,
        memo: {},
        postings: [
          { account: 'a', unit: EUR, amount: 5n },
          { account: 'b', unit: EUR, amount: -2n },
        ],
      }),
    ).toThrow('transaction bad: EUR sums to 3, not 0');
  });

  const operation = fc.oneof(
    fc.record({
      kind: fc.constant('pay' as const),
      subscriber: fc.constantFrom('s1', 's2', 's3'),
      period: fc.constantFrom('2026-01', '2026-02', '2026-03'),
      amount: fc.bigInt({ min: 1n, max: 100_000n }),
    }),
    fc.record({
      kind: fc.constant('redeem' as const),
      subscriber: fc.constantFrom('s1', 's2', 's3'),
      period: fc.constantFrom('2026-01', '2026-02', '2026-03'),
      fraction: fc.integer({ min: 1, max: 100 }),
    }),
  );

  it('any sequence of payments and redemptions sums to zero per unit and keeps the reserve invariant', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10_000n }),
        fc.array(operation, { maxLength: 60 }),
        (bps, operations) => {
          const book = new Book(bps);
          for (const op of operations) {
            if (op.kind === 'pay') book.pay(op.subscriber, op.period, op.amount);
            else book.redeem(subscriberEscrow(op.subscriber, op.period), op.period, op.fraction);
            const proof = book.proof();
            expect(proof.holds).toBe(true);
            expect(proof.reserve).toBe(proof.claims + proof.residue);
            expect(proof.outstanding).toBe(-book.balance(TreasuryAccount.issued, TOKEN_UNIT));
          }
          const totals = new Map<string, bigint>();
          for (const [key, value] of book.balances) {
            const unit = key.slice(key.lastIndexOf('|') + 1);
            totals.set(unit, (totals.get(unit) ?? 0n) + value);
          }
          for (const total of totals.values()) expect(total).toBe(0n);
        },
      ),
      { numRuns: 300 },
    );
  });
});

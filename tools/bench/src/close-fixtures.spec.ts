import {
  benchSubscriberId,
  bulkMint,
  growthVerdict,
  md5Uuid,
  subscriberTokens,
  TOKEN_UNIT,
  UCC_PER_CC,
} from './close-fixtures.js';

describe('md5Uuid', () => {
  it("formats md5 like Postgres's md5(text)::uuid", () => {
    // SELECT md5('abc')::uuid → 90015098-3cd2-4fb0-d696-3f7d28e17f72
    expect(md5Uuid('abc')).toBe('90015098-3cd2-4fb0-d696-3f7d28e17f72');
    expect(benchSubscriberId(1)).toBe(md5Uuid('bench-subscriber-1'));
  });
});

describe('subscriberTokens', () => {
  it('is a whole number of CC between 1 and 20', () => {
    for (let index = 1; index <= 1_000; index++) {
      const tokens = subscriberTokens(index);
      expect(tokens % UCC_PER_CC).toBe(0n);
      expect(tokens >= UCC_PER_CC && tokens <= 20n * UCC_PER_CC).toBe(true);
    }
  });
});

describe('bulkMint', () => {
  const subscribers = [
    { id: 'a', tokens: 3_000_000n },
    { id: 'b', tokens: 5_000_000n },
  ];

  it('balances per unit and puts each subscriber’s tokens in its escrow', () => {
    const mint = bulkMint(7, subscribers, '2026-06', 'EUR');
    expect(mint.key).toBe('bench-mint:2026-06:7');
    const sums = new Map<string, bigint>();
    for (const posting of mint.postings)
      sums.set(posting.unit, (sums.get(posting.unit) ?? 0n) + posting.amount);
    expect([...sums.values()]).toEqual([0n, 0n]);
    expect(mint.postings).toContainEqual({ account: 'treasury:reserve', unit: 'EUR', amount: 8n });
    expect(mint.postings).toContainEqual({
      account: 'subscriber:b:2026-06',
      unit: TOKEN_UNIT,
      amount: 5_000_000n,
    });
  });
});

describe('growthVerdict', () => {
  it('compares time per subscriber with the smallest size', () => {
    const verdict = growthVerdict([
      { subscribers: 10, ms: 100 },
      { subscribers: 100, ms: 1_200 },
    ]);
    expect(verdict.ratios).toEqual([1, 1.2]);
    expect(verdict.nearLinear).toBe(true);
  });

  it('is not near linear when a size costs much more per subscriber', () => {
    expect(
      growthVerdict([
        { subscribers: 10, ms: 100 },
        { subscribers: 100, ms: 3_000 },
      ]).nearLinear,
    ).toBe(false);
    expect(growthVerdict([]).nearLinear).toBe(true);
  });
});

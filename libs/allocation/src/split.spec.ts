import fc from 'fast-check';
import { splitByMixedWeight, twoWaySplit, weightedSplit } from './split.js';

const keyed = (...entries: [string, bigint][]) => entries.map(([key, weight]) => ({ key, weight }));

describe('twoWaySplit', () => {
  it('floors the first part and gives the rest to the second', () => {
    expect(twoWaySplit(101n, 333n)).toEqual([3n, 98n]);
    expect(twoWaySplit(37n, 3333n)).toEqual([12n, 25n]);
    expect(twoWaySplit(5n, 0n)).toEqual([0n, 5n]);
    expect(twoWaySplit(5n, 10000n)).toEqual([5n, 0n]);
  });

  it('always sums to the amount', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.bigInt({ min: 0n, max: 10000n }),
        (amount, bps) => {
          const [first, second] = twoWaySplit(amount, bps);
          expect(first + second).toBe(amount);
          expect(first * 10000n <= amount * bps && amount * bps < (first + 1n) * 10000n).toBe(true);
        },
      ),
    );
  });
});

describe('weightedSplit', () => {
  it('gives the leftover to the largest remainders', () => {
    // 10 over 1:1:1 → 3 each, remainders 1, 1, 1: the leftover unit goes to the smallest key.
    expect(weightedSplit(10n, keyed(['c', 1n], ['a', 1n], ['b', 1n]))).toEqual([3n, 4n, 3n]);
    // 10 over 2:3 → 4 and 6 exactly.
    expect(weightedSplit(10n, keyed(['x', 2n], ['y', 3n]))).toEqual([4n, 6n]);
    // 7 over 1:2:4 → 1, 2, 4.
    expect(weightedSplit(7n, keyed(['a', 1n], ['b', 2n], ['c', 4n]))).toEqual([1n, 2n, 4n]);
    // 5 over 3:3:4 → 1.5, 1.5, 2: floors 1, 1, 2, remainders 5, 5, 0 (mod 10) → the tie goes to a.
    expect(weightedSplit(5n, keyed(['b', 3n], ['a', 3n], ['c', 4n]))).toEqual([1n, 2n, 2n]);
    // 2 over 1:1:1 → the two smallest keys by byte order.
    expect(weightedSplit(2n, keyed(['s-c', 1n], ['s-b', 1n], ['s-a', 1n]))).toEqual([0n, 1n, 1n]);
  });

  it('breaks ties by UTF-8 byte order, not UTF-16 code units', () => {
    // U+FF21 (3 bytes, EF BC A1) sorts before U+1F600 (4 bytes, F0 9F 98 80) in UTF-8, after it in UTF-16.
    expect(weightedSplit(1n, keyed(['😀', 1n], ['Ａ', 1n]))).toEqual([0n, 1n]);
  });

  it('gives nothing to zero weights', () => {
    expect(weightedSplit(9n, keyed(['a', 0n], ['b', 1n], ['c', 0n]))).toEqual([0n, 9n, 0n]);
  });

  it('refuses a zero total weight and negative input', () => {
    expect(() => weightedSplit(9n, keyed(['a', 0n]))).toThrow(RangeError);
    expect(() => weightedSplit(9n, [])).toThrow(RangeError);
    expect(() => weightedSplit(-1n, keyed(['a', 1n]))).toThrow(RangeError);
    expect(() => weightedSplit(1n, keyed(['a', -1n], ['b', 2n]))).toThrow(RangeError);
  });

  const weights = fc.uniqueArray(
    fc.record({
      key: fc.string({ unit: 'binary', maxLength: 4 }),
      weight: fc.bigInt({ min: 0n, max: 2n ** 70n }),
    }),
    { minLength: 1, maxLength: 12, selector: (entry) => entry.key },
  );
  const smallWeights = fc.uniqueArray(
    fc.record({ key: fc.string({ maxLength: 3 }), weight: fc.bigInt({ min: 0n, max: 1000n }) }),
    { minLength: 1, maxLength: 12, selector: (entry) => entry.key },
  );
  const amounts = fc.oneof(fc.bigInt({ min: 0n, max: 1000n }), fc.bigInt({ min: 0n, max: 10n ** 40n }));

  it('always sums to the amount, each share within 1 of the exact proportional share', () => {
    fc.assert(
      fc.property(amounts, fc.oneof(weights, smallWeights), (amount, entries) => {
        const total = entries.reduce((sum, entry) => sum + entry.weight, 0n);
        fc.pre(total > 0n);
        const shares = weightedSplit(amount, entries);
        expect(shares.reduce((sum, share) => sum + share, 0n)).toBe(amount);
        shares.forEach((share, index) => {
          // |share - amount*w/W| < 1  ⇔  |share*W - amount*w| < W
          const difference = share * total - amount * (entries[index] as { weight: bigint }).weight;
          expect(difference < total && -difference < total).toBe(true);
        });
      }),
    );
  });

  it('does not depend on the order of the keys', () => {
    fc.assert(
      fc.property(amounts, smallWeights, fc.nat(), (amount, entries, seed) => {
        fc.pre(entries.some((entry) => entry.weight > 0n));
        const byKey = (list: readonly { key: string }[], shares: bigint[]) =>
          new Map(list.map((entry, index) => [entry.key, shares[index]]));
        const shuffled = [...entries].sort(
          (a, b) => ((hash(a.key) ^ seed) % 97) - ((hash(b.key) ^ seed) % 97),
        );
        expect(byKey(shuffled, weightedSplit(amount, shuffled))).toEqual(
          byKey(entries, weightedSplit(amount, entries)),
        );
      }),
    );
  });

  it('gives the same shares on the double and the bigint paths', () => {
    // Small amounts and weights take the double path; the same ratio scaled past 2^53 takes the bigint path.
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 6n }), smallWeights, (amount, entries) => {
        fc.pre(entries.some((entry) => entry.weight > 0n));
        const keys = entries.map((entry) => entry.key);
        const fast = splitByMixedWeight(
          amount,
          keys,
          entries.map((entry) => Number(entry.weight)),
        );
        const scale = 2n ** 60n;
        const slow = splitByMixedWeight(
          amount,
          keys,
          entries.map((entry) => entry.weight * scale),
        );
        expect(fast.every((share) => typeof share === 'number')).toBe(true);
        expect(slow.every((share) => typeof share === 'bigint')).toBe(true);
        expect(fast.map((share) => BigInt(share))).toEqual(slow);
      }),
    );
  });
});

function hash(text: string): number {
  let value = 7;
  for (let index = 0; index < text.length; index++) value = (value * 31 + text.charCodeAt(index)) >>> 0;
  return value;
}

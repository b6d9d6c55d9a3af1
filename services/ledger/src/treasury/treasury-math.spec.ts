import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  comparePrices,
  defaultPrice,
  INITIAL_PRICE,
  mintFor,
  proveReserve,
  redemptionValue,
  reserveCovers,
} from './treasury-math.js';

describe('treasury math', () => {
  it('prices 1 CC at 1 minor unit while nothing is outstanding, else reserve / outstanding', () => {
    expect(defaultPrice(0n, 0n)).toEqual(INITIAL_PRICE);
    expect(defaultPrice(500n, 0n)).toEqual(INITIAL_PRICE);
    // 1,500 minor units backing 1,000 CC (1e9 uCC): 1.5 minor units per CC, reduced.
    expect(defaultPrice(1_500n, 1_000_000_000n)).toEqual({ num: 3n, den: 2n });
  });

  it('mints floor(F_mint * 1e6 * den / num) with reserveBps kept back', () => {
    expect(mintFor(1_000n, INITIAL_PRICE, 0n)).toEqual({
      retained: 0n,
      minting: 1_000n,
      tokens: 1_000_000_000n,
    });
    // 2.5% of 999 = 24.975 → 24 retained; 975 * 1e6 * 2 / 3 = 650,000,000.
    expect(mintFor(999n, { num: 3n, den: 2n }, 250n)).toEqual({
      retained: 24n,
      minting: 975n,
      tokens: 650_000_000n,
    });
    // 7 * 1e6 * 1 / 3 = 2,333,333.33… → floored.
    expect(mintFor(7n, { num: 3n, den: 1n }, 0n).tokens).toBe(2_333_333n);
    expect(mintFor(10n, INITIAL_PRICE, 10_000n)).toEqual({ retained: 10n, minting: 0n, tokens: 0n });
  });

  it('redeems floor(t * num / (den * 1e6))', () => {
    expect(redemptionValue(2_333_333n, { num: 3n, den: 1n })).toBe(6n); // 6.999999 → 6
    expect(redemptionValue(999_999n, INITIAL_PRICE)).toBe(0n);
    expect(redemptionValue(650_000_000n, { num: 3n, den: 2n })).toBe(975n);
  });

  it('proves the reserve per holder and finds a reserve that cannot pay', () => {
    const proof = proveReserve({ reserve: 10n, holdings: [1_500_000n, 1_500_000n], price: INITIAL_PRICE });
    expect(proof).toEqual({ reserve: 10n, outstanding: 3_000_000n, claims: 2n, residue: 8n, holds: true });
    expect(proveReserve({ reserve: 1n, holdings: [2_000_000n], price: INITIAL_PRICE }).holds).toBe(false);
  });

  it('a payment minted at a price no higher than reserve/outstanding keeps the reserve covering', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 10_000n }),
        (reserve, outstanding, payment, bps) => {
          const price = defaultPrice(reserve, outstanding);
          expect(reserveCovers(reserve, outstanding, price)).toBe(true);
          const { tokens } = mintFor(payment, price, bps);
          const after = defaultPrice(reserve + payment, outstanding + tokens);
          expect(reserveCovers(reserve + payment, outstanding + tokens, price)).toBe(true);
          expect(comparePrices(after, price)).toBeGreaterThanOrEqual(0); // held tokens never lose value
        },
      ),
    );
  });
});

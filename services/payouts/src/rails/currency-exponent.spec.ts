import { decimalOf, minorUnitExponent } from './currency-exponent.js';

describe('currency exponents and decimals', () => {
  it('knows ISO 4217 minor units', () => {
    expect(['EUR', 'USD', 'GBP', 'CHF', 'SEK', 'JPY', 'KWD'].map(minorUnitExponent)).toEqual([
      2, 2, 2, 2, 2, 0, 3,
    ]);
    expect(() => minorUnitExponent('XXX')).toThrow(RangeError);
  });

  it('writes minor units as an exact decimal, without floating point', () => {
    expect(decimalOf(0n, 2)).toBe('0.00');
    expect(decimalOf(5n, 2)).toBe('0.05');
    expect(decimalOf(123_456n, 2)).toBe('1234.56');
    expect(decimalOf(1_234n, 0)).toBe('1234');
    expect(decimalOf(1_234n, 3)).toBe('1.234');
    expect(decimalOf(7n, 3)).toBe('0.007');
    expect(decimalOf(-1_050n, 2)).toBe('-10.50');
    // Beyond 2^53: a float would have rounded the last digits.
    expect(decimalOf(123_456_789_012_345_678_901n, 2)).toBe('1234567890123456789.01');
  });
});

import { percentile, ratePerSecond, summarizeLatencies } from './latency-summary.js';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, index) => index + 1);

  it('returns an observed value at the nearest rank', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0.5)).toBe(1);
  });

  it('rounds the rank up on small samples', () => {
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 50)).toBe(20);
    expect(percentile([10, 20, 30, 40], 51)).toBe(30);
    expect(percentile([10, 20, 30], 99)).toBe(30);
    expect(percentile([7], 1)).toBe(7);
  });

  it('refuses no values and percents outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('summarizeLatencies', () => {
  it('sorts numerically, not as strings, and leaves its input alone', () => {
    const values = [100, 9, 25, 3, 1_000];
    const summary = summarizeLatencies(values);
    expect(summary).toEqual({ count: 5, p50: 25, p95: 1_000, p99: 1_000, max: 1_000, mean: 227.4 });
    expect(values).toEqual([100, 9, 25, 3, 1_000]);
  });

  it('puts the tail where it is in a large sample', () => {
    const values = Array.from({ length: 1_000 }, (_, index) => (index < 990 ? 5 : 500 + index));
    const summary = summarizeLatencies(values.reverse());
    expect(summary.p50).toBe(5);
    expect(summary.p95).toBe(5);
    expect(summary.p99).toBe(5);
    expect(summary.max).toBe(1_499);
  });

  it('refuses an empty sample', () => {
    expect(() => summarizeLatencies([])).toThrow(RangeError);
  });
});

describe('ratePerSecond', () => {
  it('divides the count by the span', () => {
    expect(ratePerSecond(5_000, 2.5)).toBe(2_000);
  });

  it('refuses an empty or negative span', () => {
    expect(() => ratePerSecond(10, 0)).toThrow(RangeError);
    expect(() => ratePerSecond(10, -1)).toThrow(RangeError);
  });
});

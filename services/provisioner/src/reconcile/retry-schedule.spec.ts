import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './retry-schedule.js';

describe('retry schedule', () => {
  it('doubles from the base and never exceeds the cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelayMs(attempt, 100, 1_000, top))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(retryDelayMs(10_000, 100, 1_000, top)).toBe(1_000);
  });

  it('waits at least half the ceiling', () => {
    const bottom = () => 0;
    expect([1, 2, 3, 9].map((attempt) => retryDelayMs(attempt, 100, 1_000, bottom))).toEqual([
      50, 100, 200, 500,
    ]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { budgetAfterResponse, UNKNOWN_BUDGET, waitBeforeCallMs } from './rate-budget.js';

const now = new Date('2026-03-01T12:00:00Z');
const epoch = (date: Date) => String(Math.floor(date.getTime() / 1_000));
const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name.toLowerCase()] ?? null,
});

describe('rate budget', () => {
  it('follows the rate-limit headers', () => {
    const resets = new Date(now.getTime() + 30_000);
    const budget = budgetAfterResponse(
      UNKNOWN_BUDGET,
      200,
      headers({ 'ratelimit-limit': '3600', 'ratelimit-remaining': '12', 'ratelimit-reset': epoch(resets) }),
      now,
    );
    expect(budget).toEqual({ limit: 3600, remaining: 12, resetsAt: resets, blockedUntil: null });
    expect(waitBeforeCallMs(budget, now)).toBe(0);
  });

  it('holds calls back once spent, until the reset', () => {
    const resets = new Date(now.getTime() + 30_000);
    const spent = budgetAfterResponse(
      UNKNOWN_BUDGET,
      200,
      headers({ 'ratelimit-limit': '10', 'ratelimit-remaining': '0', 'ratelimit-reset': epoch(resets) }),
      now,
    );
    expect(waitBeforeCallMs(spent, now)).toBe(30_000);
    expect(waitBeforeCallMs(spent, new Date(resets.getTime() + 1))).toBe(0);
  });

  it('blocks on a 429 until the later of Retry-After and the reset', () => {
    const resets = new Date(now.getTime() + 5_000);
    const blocked = budgetAfterResponse(
      UNKNOWN_BUDGET,
      429,
      headers({ 'ratelimit-remaining': '0', 'ratelimit-reset': epoch(resets), 'retry-after': '20' }),
      now,
    );
    expect(blocked.blockedUntil).toEqual(new Date(now.getTime() + 20_000));
    expect(waitBeforeCallMs(blocked, now)).toBe(20_000);
  });

  it('blocks on a bare 429 for a minute, and counts down without headers', () => {
    const blocked = budgetAfterResponse(UNKNOWN_BUDGET, 429, headers({}), now);
    expect(waitBeforeCallMs(blocked, now)).toBe(60_000);
    const counted = budgetAfterResponse({ ...UNKNOWN_BUDGET, remaining: 3 }, 200, headers({}), now);
    expect(counted.remaining).toBe(2);
  });

  it('reads a small reset as seconds from now', () => {
    const budget = budgetAfterResponse(UNKNOWN_BUDGET, 429, headers({ 'ratelimit-reset': '7' }), now);
    expect(budget.blockedUntil).toEqual(new Date(now.getTime() + 7_000));
  });
});

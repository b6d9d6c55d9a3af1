import { describe, expect, it } from '@jest/globals';
import { nextStep, retryAfterSeconds } from './retry-schedule.js';

const rules = { scheduleSeconds: [0, 5, 300, 1800], jitterPercent: 10, maxRetryAfterSeconds: 3600 };

describe('nextStep', () => {
  it('follows the schedule after each failed attempt, then gives up', () => {
    expect(nextStep(rules, 1, null, () => 0)).toEqual({ retryInMs: 5_000 });
    expect(nextStep(rules, 2, null, () => 0)).toEqual({ retryInMs: 300_000 });
    expect(nextStep(rules, 3, null, () => 0)).toEqual({ retryInMs: 1_800_000 });
    expect(nextStep(rules, 4, null, () => 0)).toEqual({ giveUp: true });
  });

  it('adds at most the jitter share of the delay', () => {
    expect(nextStep(rules, 2, null, () => 0.999_999)).toEqual({ retryInMs: 330_000 });
    expect(nextStep(rules, 2, null, () => 0.5)).toEqual({ retryInMs: 315_000 });
  });

  it('honours Retry-After up to the cap, but not past the last attempt', () => {
    expect(nextStep(rules, 1, 42, () => 0.5)).toEqual({ retryInMs: 42_000 });
    expect(nextStep(rules, 1, 86_400)).toEqual({ retryInMs: 3_600_000 });
    expect(nextStep(rules, 4, 1)).toEqual({ giveUp: true });
  });
});

describe('retryAfterSeconds', () => {
  it('reads delay-seconds and HTTP dates, and ignores nonsense', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('120', now)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:01:30 GMT', now)).toBe(90);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(retryAfterSeconds('soon', now)).toBeNull();
    expect(retryAfterSeconds(null, now)).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { planLimitsVar, thresholdsReached } from './plan-limits.js';

describe('free plan limits', () => {
  it('parse meter:limit lists', () => {
    const limits = planLimitsVar('').parse('active_seconds:36000, requests:10000');
    expect(Object.fromEntries(limits)).toEqual({ active_seconds: 36_000n, requests: 10_000n });
    expect(planLimitsVar('requests:5').parse(undefined).get('requests')).toBe(5n);
  });

  it('refuse malformed or repeated entries', () => {
    for (const bad of ['requests', 'requests:0', 'requests:-1', 'Requests:5', 'a:1,a:2'])
      expect(planLimitsVar('').safeParse(bad).success).toBe(false);
  });

  it('say which thresholds usage reached, exactly at the boundary', () => {
    expect(thresholdsReached(79n, 100n)).toEqual([]);
    expect(thresholdsReached(80n, 100n)).toEqual([80]);
    expect(thresholdsReached(99n, 100n)).toEqual([80]);
    expect(thresholdsReached(100n, 100n)).toEqual([80, 100]);
    expect(thresholdsReached(7n, 9n)).toEqual([]);
    expect(thresholdsReached(8n, 9n)).toEqual([80]);
  });
});

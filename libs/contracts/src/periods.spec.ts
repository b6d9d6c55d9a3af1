import { describe, expect, it } from '@jest/globals';
import { lateUsageClosesAt, nextPeriod, periodEnd, periodOf, periodSchema, periodStart } from './periods.js';

describe('periods', () => {
  it('are UTC calendar months', () => {
    expect(periodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(periodOf(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12');
    expect(periodStart('2026-11').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(periodEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextPeriod('2026-12')).toBe('2027-01');
  });

  it('stop taking late usage at their end plus the grace', () => {
    expect(lateUsageClosesAt('2026-11', 60).toISOString()).toBe('2026-12-01T01:00:00.000Z');
    expect(lateUsageClosesAt('2026-12', 0).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('accept only YYYY-MM labels', () => {
    for (const good of ['2026-01', '2026-12']) expect(periodSchema.safeParse(good).success).toBe(true);
    for (const bad of ['2026-13', '2026-1', '2026-00', '26-11', '2026-11-01', ''])
      expect(periodSchema.safeParse(bad).success).toBe(false);
  });
});

import { describe, expect, it } from '@jest/globals';
import {
  lateUsageClosesAt,
  nextPeriod,
  periodEnd,
  periodOf,
  periodSchema,
  periodStart,
  periodsFromNow,
  shiftPeriod,
} from './periods.js';

describe('periods', () => {
  it('are UTC calendar months', () => {
    expect(periodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(periodOf(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12');
    expect(periodStart('2026-11').toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(periodEnd('2026-12').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(nextPeriod('2026-12')).toBe('2027-01');
  });

  it('shift by months across years, both ways', () => {
    expect(shiftPeriod('2026-12', 1)).toBe('2027-01');
    expect(shiftPeriod('2026-02', -3)).toBe('2025-11');
    expect(shiftPeriod('2026-05', -17)).toBe('2024-12');
    expect(shiftPeriod('2026-05', 0)).toBe('2026-05');
    expect(shiftPeriod('2026-05', 24)).toBe('2028-05');
    expect(periodsFromNow(new Date('2026-12-31T23:00:00Z'), 2)).toEqual(['2026-12', '2027-01', '2027-02']);
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

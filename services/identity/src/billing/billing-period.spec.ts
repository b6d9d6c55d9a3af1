import {
  laterPeriod,
  periodOf,
  periodOfUnixSeconds,
  startOfNextPeriod,
  startOfPeriodContaining,
} from './billing-period.js';

describe('billing periods', () => {
  it('are calendar months in UTC, whatever the local time zone says', () => {
    expect(periodOf(new Date('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(periodOf(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12');
    expect(periodOf(new Date('2026-12-01T00:30:00+01:00'))).toBe('2026-11');
    expect(periodOfUnixSeconds(Date.parse('2027-01-01T00:00:00Z') / 1_000)).toBe('2027-01');
  });

  it('start on the first of the month and end on the first of the next, across a year', () => {
    const instant = new Date('2026-12-17T08:00:00Z');
    expect(startOfPeriodContaining(instant).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(startOfNextPeriod(instant).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('order by their labels', () => {
    expect(laterPeriod('2026-12', '2027-01')).toBe('2027-01');
    expect(laterPeriod('2027-01', '2026-12')).toBe('2027-01');
    expect(laterPeriod(null, '2026-12')).toBe('2026-12');
  });
});

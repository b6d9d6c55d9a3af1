import { describe, expect, it } from '@jest/globals';
import { describeUsageLag, usageCompleteness, usageLagOf } from './usage-lag.js';

const watermark = (announced: bigint | null, applied: bigint) => ({
  announced,
  applied,
  sealedAt: announced === null ? null : new Date('2026-12-01T01:00:00.000Z'),
});

describe('a period’s usage completeness', () => {
  it('is complete only once sealed and applied exactly as announced', () => {
    expect(usageCompleteness(watermark(null, 0n))).toBe('not_sealed');
    expect(usageCompleteness(watermark(null, 7n))).toBe('not_sealed');
    expect(usageCompleteness(watermark(7n, 6n))).toBe('behind');
    expect(usageCompleteness(watermark(7n, 7n))).toBe('complete');
    expect(usageCompleteness(watermark(0n, 0n))).toBe('complete');
    expect(usageCompleteness(watermark(7n, 8n))).toBe('beyond_watermark');
  });

  it('shows the lag with its numbers, or that there is no watermark yet', () => {
    expect(usageLagOf(watermark(null, 3n))).toEqual({
      sealed: false,
      announced: null,
      applied: '3',
      behind: null,
      sealedAt: null,
    });
    const lag = usageLagOf(watermark(10n, 4n));
    expect(lag).toEqual({
      sealed: true,
      announced: '10',
      applied: '4',
      behind: '6',
      sealedAt: '2026-12-01T01:00:00.000Z',
    });
    expect(usageLagOf(watermark(4n, 5n)).behind).toBe('-1');
    expect(describeUsageLag('2026-11', lag)).toBe(
      'metering announced 10 UsageRecorded events for 2026-11, the ledger has applied 4 (6 behind)',
    );
    expect(describeUsageLag('2026-11', usageLagOf(watermark(null, 3n)))).toContain('not sealed 2026-11 yet');
  });
});

import { describe, expect, it } from '@jest/globals';
import { pointsPerSecond, uptimeSecondsWithin } from './resource-points.js';

const at = (iso: string) => new Date(iso);

describe('resource points', () => {
  it('weigh memory in MiB and a vCPU as 1 GiB', () => {
    expect(pointsPerSecond({ vcpus: 2, memoryMb: 4_096 })).toBe(6_144n);
    expect(pointsPerSecond({ vcpus: 1, memoryMb: 512 })).toBe(1_536n);
  });

  it('count uptime inside the period only, open intervals up to now', () => {
    const intervals = [
      { startedAt: at('2026-02-28T23:00:00Z'), endedAt: at('2026-03-01T01:00:00Z') },
      { startedAt: at('2026-03-10T00:00:00Z'), endedAt: at('2026-03-10T00:00:30.900Z') },
      { startedAt: at('2026-03-31T23:59:00Z'), endedAt: null },
    ];
    const march = [at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z')] as const;
    expect(uptimeSecondsWithin(intervals, ...march, at('2026-04-02T00:00:00Z'))).toBe(3_600n + 30n + 60n);
    expect(uptimeSecondsWithin(intervals, ...march, at('2026-03-31T23:59:10Z'))).toBe(3_600n + 30n + 10n);
  });

  it('count nothing for intervals outside the period', () => {
    const intervals = [{ startedAt: at('2026-01-01T00:00:00Z'), endedAt: at('2026-01-02T00:00:00Z') }];
    expect(
      uptimeSecondsWithin(
        intervals,
        at('2026-03-01T00:00:00Z'),
        at('2026-04-01T00:00:00Z'),
        at('2026-03-05T00:00:00Z'),
      ),
    ).toBe(0n);
  });
});

import { describe, expect, it } from '@jest/globals';
import { ingestJsonLine, ingestNumbers, secondsArgument } from './ingest-report.js';

const measured = {
  accepted: 1_200_000,
  loadStartedAt: 1_000,
  loadFinishedAt: 61_000,
  publishedAt: 61_500,
  latenciesMs: Array.from({ length: 100 }, (_, index) => index + 1),
  baselineRows: 1_210_000,
  baselineSeconds: 11,
  baselineLatenciesMs: [5, 6, 7],
  keyedBaselineRows: 1_210_000,
  keyedBaselineSeconds: 22,
  keyedBaselineLatenciesMs: [10, 12, 14],
};

describe('ingest report', () => {
  it('rates the run end to end, until the outbox was published, against both baselines', () => {
    const numbers = ingestNumbers(measured);
    expect(numbers.eventsPerSecond).toBeCloseTo(1_200_000 / 60.5);
    expect(numbers.acceptedPerSecond).toBe(20_000);
    expect(numbers.baselineRowsPerSecond).toBe(110_000);
    expect(numbers.ratio).toBeCloseTo(1_200_000 / 60.5 / 110_000);
    expect(numbers.keyedBaselineRowsPerSecond).toBe(55_000);
    expect(numbers.keyedRatio).toBeCloseTo(1_200_000 / 60.5 / 55_000);
    expect(numbers.keyedBaselineBatchMs).toMatchObject({ p50: 12, max: 14 });
    expect(numbers.drainSeconds).toBe(0.5);
    expect(numbers.batchMs).toMatchObject({ p50: 50, p99: 99, max: 100 });
  });

  it('end the JSON output with exactly the promised keys', () => {
    expect(JSON.parse(ingestJsonLine(ingestNumbers(measured)))).toEqual({
      bench: 'ingest',
      eventsPerSecond: 19_835,
      baselineRowsPerSecond: 110_000,
      ratio: 0.18,
      keyedBaselineRowsPerSecond: 55_000,
      keyedRatio: 0.361,
      p99BatchMs: 99,
    });
  });

  it('read --seconds, refusing what is not a whole number of at least 5', () => {
    expect(secondsArgument(['--json'], 60)).toBe(60);
    expect(secondsArgument(['--seconds', '120', '--json'], 60)).toBe(120);
    expect(() => secondsArgument(['--seconds'], 60)).toThrow(RangeError);
    expect(() => secondsArgument(['--seconds', '2'], 60)).toThrow(RangeError);
    expect(() => secondsArgument(['--seconds', '7.5'], 60)).toThrow(RangeError);
  });
});

/** Percentiles of a set of latencies, by the nearest-rank method: every reported value was observed. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/**
 * The nearest-rank percentile of values sorted ascending: the smallest value with at least `percent`% of
 * the values at or below it. `percent` is in (0, 100].
 */
export function percentile(sortedAscending: readonly number[], percent: number): number {
  if (sortedAscending.length === 0) throw new RangeError('percentile of no values');
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percent must be in (0, 100], got ${percent}`);
  const rank = Math.ceil((percent / 100) * sortedAscending.length);
  return sortedAscending[rank - 1] as number;
}

export function summarizeLatencies(values: readonly number[]): LatencySummary {
  if (values.length === 0) throw new RangeError('no latencies to summarize');
  const sorted = Float64Array.from(values).sort();
  const ascending = Array.from(sorted);
  const total = ascending.reduce((sum, value) => sum + value, 0);
  return {
    count: ascending.length,
    p50: percentile(ascending, 50),
    p95: percentile(ascending, 95),
    p99: percentile(ascending, 99),
    max: ascending[ascending.length - 1] as number,
    mean: total / ascending.length,
  };
}

/** Events per second over a span measured in seconds; a span of zero has no meaningful rate. */
export function ratePerSecond(count: number, seconds: number): number {
  if (!(seconds > 0)) throw new RangeError(`rate over a span of ${seconds} s`);
  return count / seconds;
}

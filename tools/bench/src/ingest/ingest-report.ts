import { ratePerSecond, summarizeLatencies, type LatencySummary } from '../latency-summary.js';

/** The measured numbers of one run, as the report and the JSON line give them. */
export interface IngestNumbers {
  /** Distinct events accepted per second, from the first request until the outbox was fully published. */
  readonly eventsPerSecond: number;
  /** Accepted per second over the load alone (until the last answer). */
  readonly acceptedPerSecond: number;
  readonly baselineRowsPerSecond: number;
  readonly ratio: number;
  /** The keyed append: the same rows into a table with the same unique key, `ON CONFLICT DO NOTHING`. */
  readonly keyedBaselineRowsPerSecond: number;
  /** Ingest ÷ keyed append: what everything beyond storing each event once costs. */
  readonly keyedRatio: number;
  readonly batchMs: LatencySummary;
  readonly baselineBatchMs: LatencySummary;
  readonly keyedBaselineBatchMs: LatencySummary;
  /** Seconds from the last answer until the last outbox row was published. */
  readonly drainSeconds: number;
}

export function ingestNumbers(measured: {
  readonly accepted: number;
  readonly loadStartedAt: number;
  readonly loadFinishedAt: number;
  readonly publishedAt: number;
  readonly latenciesMs: readonly number[];
  readonly baselineRows: number;
  readonly baselineSeconds: number;
  readonly baselineLatenciesMs: readonly number[];
  readonly keyedBaselineRows: number;
  readonly keyedBaselineSeconds: number;
  readonly keyedBaselineLatenciesMs: readonly number[];
}): IngestNumbers {
  const endToEnd = (measured.publishedAt - measured.loadStartedAt) / 1_000;
  const eventsPerSecond = ratePerSecond(measured.accepted, endToEnd);
  const baselineRowsPerSecond = ratePerSecond(measured.baselineRows, measured.baselineSeconds);
  const keyedBaselineRowsPerSecond = ratePerSecond(measured.keyedBaselineRows, measured.keyedBaselineSeconds);
  return {
    eventsPerSecond,
    acceptedPerSecond: ratePerSecond(
      measured.accepted,
      (measured.loadFinishedAt - measured.loadStartedAt) / 1_000,
    ),
    baselineRowsPerSecond,
    ratio: eventsPerSecond / baselineRowsPerSecond,
    keyedBaselineRowsPerSecond,
    keyedRatio: eventsPerSecond / keyedBaselineRowsPerSecond,
    batchMs: summarizeLatencies(measured.latenciesMs),
    baselineBatchMs: summarizeLatencies(measured.baselineLatenciesMs),
    keyedBaselineBatchMs: summarizeLatencies(measured.keyedBaselineLatenciesMs),
    drainSeconds: Math.max(0, (measured.publishedAt - measured.loadFinishedAt) / 1_000),
  };
}

/** The last line of `--json`: exactly the keys the benchmark promises. */
export function ingestJsonLine(numbers: IngestNumbers): string {
  return JSON.stringify({
    bench: 'ingest',
    eventsPerSecond: Math.round(numbers.eventsPerSecond),
    baselineRowsPerSecond: Math.round(numbers.baselineRowsPerSecond),
    ratio: Math.round(numbers.ratio * 1_000) / 1_000,
    keyedBaselineRowsPerSecond: Math.round(numbers.keyedBaselineRowsPerSecond),
    keyedRatio: Math.round(numbers.keyedRatio * 1_000) / 1_000,
    p99BatchMs: Math.round(numbers.batchMs.p99 * 10) / 10,
  });
}

/** `--seconds N` from the arguments (a whole number of at least 5), else the default. */
export function secondsArgument(argv: readonly string[], fallback: number): number {
  const index = argv.indexOf('--seconds');
  if (index < 0) return fallback;
  const raw = argv[index + 1];
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 5)
    throw new RangeError(`--seconds needs a whole number ≥ 5, got "${raw}"`);
  return seconds;
}

import { performance } from 'node:perf_hooks';
import { allocatePeriod, parseAllocationInput } from '@onecommons/allocation';
import { syntheticAllocationInput } from './synthetic-input.js';

/**
 * `node tools/bench/dist/src/allocate.bench.js [--json]`: times the period allocation (parse + allocate + Merkle
 * root) on synthetic periods of 10k, 100k and 1M usage rows. With `--json`, the last line is a JSON summary.
 */

interface BenchResult {
  readonly usageRows: number;
  readonly subscribers: number;
  readonly accounts: number;
  readonly ms: number;
  readonly parseMs: number;
  readonly allocateMs: number;
  readonly rowsPerSecond: number;
  /** Peak resident set size of the process so far; sizes run in ascending order, so it is this size's peak. */
  readonly peakRssMb: number;
}

const SIZES = [
  { usageRows: 10_000, repeats: 7 },
  { usageRows: 100_000, repeats: 5 },
  { usageRows: 1_000_000, repeats: 3 },
];

function timeOnce(json: unknown) {
  const started = performance.now();
  const parsed = parseAllocationInput(json);
  if (!parsed.ok) throw new Error(`synthetic input invalid: ${parsed.error.path}: ${parsed.error.reason}`);
  const parsedAt = performance.now();
  const allocation = allocatePeriod(parsed.input);
  const finished = performance.now();
  return {
    parseMs: parsedAt - started,
    allocateMs: finished - parsedAt,
    accounts: allocation.allocations.length,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function runSize(usageRows: number, repeats: number): BenchResult {
  const input = syntheticAllocationInput({
    usageRows,
    rowsPerSubscriber: 10,
    services: 300,
    projects: 40,
    seed: 42,
  });
  const runs = Array.from({ length: repeats }, () => timeOnce(input.json));
  const totals = runs.map((run) => run.parseMs + run.allocateMs);
  const ms = median(totals);
  const middle = runs[totals.indexOf(ms)] ?? runs[0];
  return {
    usageRows,
    subscribers: input.subscribers,
    accounts: middle?.accounts ?? 0,
    ms: round(ms),
    parseMs: round(middle?.parseMs ?? 0),
    allocateMs: round(middle?.allocateMs ?? 0),
    rowsPerSecond: Math.round((usageRows / ms) * 1000),
    peakRssMb: round(peakRssMb()),
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function printTable(results: readonly BenchResult[]): void {
  const header = [
    'usage rows',
    'subscribers',
    'accounts',
    'parse ms',
    'allocate ms',
    'total ms',
    'rows/s',
    'peak RSS MB',
  ];
  const rows = results.map((result) => [
    result.usageRows.toLocaleString('en-US'),
    result.subscribers.toLocaleString('en-US'),
    String(result.accounts),
    result.parseMs.toFixed(1),
    result.allocateMs.toFixed(1),
    result.ms.toFixed(1),
    result.rowsPerSecond.toLocaleString('en-US'),
    result.peakRssMb.toFixed(0),
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join('  ');
  console.log(`allocate benchmark (median of repeats), node ${process.version}`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

const asJson = process.argv.includes('--json');
timeOnce(
  syntheticAllocationInput({ usageRows: 10_000, rowsPerSubscriber: 10, services: 300, projects: 40, seed: 7 })
    .json,
);
const results = SIZES.map((size) => runSize(size.usageRows, size.repeats));
printTable(results);
if (asJson) {
  console.log(
    JSON.stringify({
      bench: 'allocate',
      results: results.map(
        ({ usageRows, subscribers, ms, rowsPerSecond, parseMs, allocateMs, peakRssMb }) => ({
          usageRows,
          subscribers,
          ms,
          rowsPerSecond,
          parseMs,
          allocateMs,
          peakRssMb,
        }),
      ),
      node: process.version,
      peakRssMb: round(peakRssMb()),
    }),
  );
}

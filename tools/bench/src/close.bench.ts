import { type AllocationInput, type AllocationPolicy } from '@onecommons/allocation';
import { OutboxWriter } from '@onecommons/kafka';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
// The bench drives the ledger's own period close; a tool may not depend on a service otherwise.
/* eslint-disable @nx/enforce-module-boundaries */
import { type LedgerConfig } from '@onecommons/ledger/dist/src/config.js';
import { LedgerJournal, type PostOutcome } from '@onecommons/ledger/dist/src/journal/ledger-journal.js';
import { type LedgerTransaction } from '@onecommons/ledger/dist/src/journal/ledger-transaction.js';
import { ledgerService } from '@onecommons/ledger/dist/src/ledger.definition.js';
import { CloseSettlement } from '@onecommons/ledger/dist/src/payables/close-settlement.js';
import { PayeePreferences } from '@onecommons/ledger/dist/src/payables/payee-preferences.js';
import { PeriodPrices } from '@onecommons/ledger/dist/src/treasury/period-prices.js';
import { Treasury } from '@onecommons/ledger/dist/src/treasury/treasury.js';
import { PeriodCloser } from '@onecommons/ledger/dist/src/periods/period-closer.js';
import { PeriodCloseRequests } from '@onecommons/ledger/dist/src/periods/period-close-requests.js';
import { AllocationInputReader } from '@onecommons/ledger/dist/src/projections/allocation-input-reader.js';
import { verifyLedger } from '@onecommons/ledger/dist/src/verify/ledger-verifier.js';
/* eslint-enable @nx/enforce-module-boundaries */
import { growthVerdict } from './close-fixtures.js';
import { populateLedger, ROWS_PER_SUBSCRIBER } from './close-population.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench close [--json] [--sizes 10000,100000] [--verify-max N] [--keep]`: the ledger's period close
 * (`PeriodCloser.close(period, { force: true })`, end to end: journal lock, read the allocation input from the
 * projections, allocate, post one journal transaction, store input and result, write the outbox row, commit)
 * for 10k, 100k and 1M subscribers with 10 usage rows each, on the bench stack's Postgres. Each size gets a
 * fresh ledger schema filled by bulk SQL first (setup, not measured). After the close, `verifyLedger` must
 * pass (sizes up to `--verify-max`, default every size) and every escrow of the period must be empty.
 * With `--json` the last line is `{"bench":"close","results":[…]}`.
 */

const PERIOD = '2026-06';
const CURRENCY = 'EUR';
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

/** The ledger's defaults (services/ledger/src/config.ts) but the anti-gaming knobs off (`off`). */
const CONFIG = {
  LEDGER_CURRENCY: CURRENCY,
  LEDGER_RESERVE_BPS: 0,
  LEDGER_GENERAL_FUND_BPS: 500,
  LEDGER_MAX_DEPENDENCY_DEPTH: 3,
  LEDGER_CAP_WEIGHT_PER_SERVICE: null,
  LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: null,
  LEDGER_CLOSE_GRACE_MINUTES: 180,
  METERING_LATE_EVENT_GRACE_MINUTES: 60,
  LEDGER_CLOSE_WAIT_SECONDS: 0,
  LEDGER_CLOSE_SCHEDULE_SECONDS: 60,
  LEDGER_CLOSE_REREQUEST_MINUTES: 5,
} as unknown as LedgerConfig;

interface CloseResult {
  readonly subscribers: number;
  readonly usageRows: number;
  readonly accounts: number;
  readonly ms: number;
  readonly readMs: number;
  readonly allocateMs: number;
  readonly postMs: number;
  readonly storeMs: number;
  readonly rowsPerSecond: number;
  readonly setupMs: number;
  readonly verified: boolean | null;
  readonly peakRssMb: number;
}

const log = (message: string) => console.error(`[bench] ${message}`);
const round = (value: number) => Math.round(value * 10) / 10;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024);

/** Marks when the closer finishes reading its input and starts and ends posting. */
class Marks {
  readEnd = 0;
  readStart = 0;
  postStart = 0;
  postEnd = 0;
  usageRows = 0;
}

class TimedReader extends AllocationInputReader {
  constructor(private readonly marks: Marks) {
    super();
  }
  override async read(
    manager: EntityManager,
    period: string,
    policy: AllocationPolicy,
    options?: { fromClose?: boolean },
  ): Promise<AllocationInput> {
    this.marks.readStart = performance.now();
    const input = await super.read(manager, period, policy, options);
    this.marks.readEnd = performance.now();
    this.marks.usageRows = input.usage.length;
    return input;
  }
}

class TimedJournal extends LedgerJournal {
  constructor(private readonly marks: Marks) {
    super();
  }
  override async post(manager: EntityManager, transaction: LedgerTransaction): Promise<PostOutcome> {
    this.marks.postStart = performance.now();
    const outcome = await super.post(manager, transaction);
    this.marks.postEnd = performance.now();
    return outcome;
  }
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

async function runSize(adminUrl: string, subscribers: number, verifyMax: number): Promise<CloseResult> {
  const schema = `bench_close_${uniqueSuffix()}`;
  const setupStarted = performance.now();
  await migrateServiceSchema({
    adminUrl,
    runtimeUrl: adminUrl,
    schema,
    migrations: ledgerService.migrations ?? [],
  });
  const db = new DataSource(
    serviceDataSourceOptions({ url: adminUrl, schema, poolSize: 2, applicationName: `${schema}:close` }),
  );
  await db.initialize();
  try {
    log(`${count(subscribers)} subscribers: populating ${schema}`);
    await populateLedger(db, { period: PERIOD, subscribers, currency: CURRENCY }, log);
    const setupMs = performance.now() - setupStarted;
    log(`${count(subscribers)} subscribers: populated in ${(setupMs / 1000).toFixed(1)} s; closing`);
    globalThis.gc?.();
    const marks = new Marks();
    const journal = new TimedJournal(marks);
    const prices = new PeriodPrices();
    const settlement = new CloseSettlement(
      journal,
      new Treasury(journal, prices, CONFIG),
      prices,
      new PayeePreferences(),
    );
    const outbox = new OutboxWriter();
    const closer = new PeriodCloser(
      db,
      journal,
      new TimedReader(marks),
      outbox,
      settlement,
      new PeriodCloseRequests(outbox, CONFIG),
      CONFIG,
    );
    const started = performance.now();
    const closed = await closer.close(PERIOD, { force: true });
    const ms = performance.now() - started;
    const rss = peakRssMb();
    const [{ accounts } = { accounts: 0 }] = (await db.query(
      `SELECT count(*)::int - $1::int AS accounts FROM ledger_entries WHERE transaction_key = $2`,
      [subscribers, `close:${PERIOD}`],
    )) as { accounts: number }[];
    const [{ left } = { left: -1 }] = (await db.query(
      `SELECT count(*)::int AS left FROM ledger_balances WHERE account LIKE 'subscriber:%' AND balance <> 0`,
    )) as { left: number }[];
    if (left !== 0) throw new Error(`${left} subscriber escrows still hold tokens after the close`);
    let verified: boolean | null = null;
    if (subscribers <= verifyMax) {
      log(`${count(subscribers)} subscribers: closed (${closed.total} uCC); verifying the ledger`);
      const client = new pg.Client({ connectionString: adminUrl, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        const report = await verifyLedger(client, CURRENCY);
        if (!report.ok) throw new Error(`verifyLedger failed: ${report.firstViolation}`);
        verified = true;
      } finally {
        await client.end();
      }
    }
    const readMs = marks.readEnd - marks.readStart;
    const allocateMs = marks.postStart - marks.readEnd;
    const postMs = marks.postEnd - marks.postStart;
    return {
      subscribers,
      usageRows: marks.usageRows,
      accounts,
      ms: round(ms),
      readMs: round(readMs),
      allocateMs: round(allocateMs),
      postMs: round(postMs),
      storeMs: round(ms - readMs - allocateMs - postMs),
      rowsPerSecond: Math.round((marks.usageRows / ms) * 1000),
      setupMs: round(setupMs),
      verified,
      peakRssMb: rss,
    };
  } finally {
    if (!process.argv.includes('--keep')) await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.destroy();
  }
}

function printReport(results: readonly CloseResult[], loadBefore: number): void {
  console.log(
    `close benchmark: PeriodCloser.close(period, { force: true }) end to end, node ${process.version}`,
  );
  console.log(`${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the runs`);
  const table = formatTable(
    [
      'subscribers',
      'usage rows',
      'accounts',
      'read ms',
      'allocate ms',
      'post ms',
      'store ms',
      'total ms',
      'rows/s',
      'peak RSS MB',
      'verified',
      'setup s',
    ],
    results.map((result) => [
      count(result.subscribers),
      count(result.usageRows),
      count(result.accounts),
      result.readMs.toFixed(1),
      result.allocateMs.toFixed(1),
      result.postMs.toFixed(1),
      result.storeMs.toFixed(1),
      result.ms.toFixed(1),
      count(result.rowsPerSecond),
      result.peakRssMb.toFixed(0),
      result.verified === null ? '-' : String(result.verified),
      (result.setupMs / 1000).toFixed(1),
    ]),
  );
  for (const line of table) console.log(line);
  const growth = growthVerdict(results);
  console.log(
    `time per subscriber vs the smallest size: ${growth.ratios.map((ratio) => `×${ratio.toFixed(2)}`).join(', ')}` +
      ` → ${growth.nearLinear ? 'near linear' : 'NOT near linear'}`,
  );
}

async function main(): Promise<void> {
  const sizes = (option('--sizes')?.split(',').map(Number) ?? DEFAULT_SIZES).filter((size) => size > 0);
  const verifyMax = Number(option('--verify-max') ?? Number.POSITIVE_INFINITY);
  const adminUrl = testStack().postgresAdminUrl;
  const loadBefore = loadavg()[0] ?? 0;
  const results: CloseResult[] = [];
  const failures: string[] = [];
  for (const subscribers of sizes) {
    let result: CloseResult;
    try {
      result = await runSize(adminUrl, subscribers, verifyMax);
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      failures.push(`${count(subscribers)} subscribers: ${reason}`);
      log(`${count(subscribers)} subscribers: FAILED (${reason}), peak RSS ${peakRssMb().toFixed(0)} MB`);
      continue;
    }
    log(
      `${count(subscribers)} subscribers: ${result.ms.toFixed(0)} ms (read ${result.readMs.toFixed(0)}, ` +
        `allocate ${result.allocateMs.toFixed(0)}, post ${result.postMs.toFixed(0)}, store ` +
        `${result.storeMs.toFixed(0)}), peak RSS ${result.peakRssMb.toFixed(0)} MB`,
    );
    results.push(result);
  }
  printReport(results, loadBefore);
  for (const failure of failures) console.log(`failed: ${failure}`);
  if (failures.length > 0) process.exitCode = 1;
  if (process.argv.includes('--json')) {
    console.log(
      JSON.stringify({
        bench: 'close',
        results: results.map((result) => ({
          subscribers: result.subscribers,
          usageRows: result.usageRows,
          ms: result.ms,
          readMs: result.readMs,
          allocateMs: result.allocateMs,
          postMs: result.postMs,
          storeMs: result.storeMs,
          peakRssMb: result.peakRssMb,
        })),
      }),
    );
  }
}

if (ROWS_PER_SUBSCRIBER !== 10)
  throw new Error('the close bench is specified at 10 usage rows per subscriber');
main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { cpus, loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
// The bench drives the ledger's own period close; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { type LedgerConfig, ledgerConfigSchema } from '@onecommons/ledger/dist/src/config.js';
import { JournalRepository } from '@onecommons/ledger/dist/src/journal/journal.repository.js';
import {
  LedgerJournal,
  type PostOutcome,
  type StreamedTransaction,
} from '@onecommons/ledger/dist/src/journal/ledger-journal.js';
import { ledgerService } from '@onecommons/ledger/dist/src/ledger.definition.js';
import { verifyLedger } from '@onecommons/ledger/dist/src/verify/ledger-verifier.js';
/* eslint-enable onecommons/module-boundaries */
import { growthVerdict } from './close-fixtures.js';
import { populateLedger, ROWS_PER_SUBSCRIBER } from './close-population.js';
import { ledgerCloser } from './ledger-closer.js';
import { formatTable } from './text-table.js';

/**
 * `./dev bench close [--json] [--sizes 10000,100000] [--verify-max N] [--keep] [--default-policy]`: the ledger's period close
 * (`PeriodCloser.close(period, { force: true })`, end to end: stream the paying subscribers and their usage out
 * of the projections in a snapshot while allocating, take the journal lock, post the close transaction (entries
 * copied in as they are hashed), store the result, write the outbox row, commit; the table says how long the
 * journal lock was held) for 10k, 100k and 1M subscribers with 10 usage
 * rows each, on the bench stack's Postgres. Each size gets a fresh ledger schema filled by bulk SQL first (setup,
 * not measured); the close then runs in a child process with Node's default heap settings, so its peak RSS and
 * its event loop's longest delay are the close's alone. After the close, `verifyLedger` must pass (sizes up to
 * `--verify-max`, default every size) and every escrow of the period must be empty.
 * With `--json` the last line is `{"bench":"close","results":[…]}`.
 */

const PERIOD = '2026-06';
const CURRENCY = 'EUR';
const DEFAULT_SIZES = [10_000, 100_000, 1_000_000];

/**
 * The ledger's defaults (services/ledger/src/config.ts) but the anti-gaming knobs off (`off`); with
 * `--default-policy`, on at the ledger's defaults (the minimum of subscribers per service makes the close read its
 * stream twice).
 */
const DEFAULT_POLICY = process.argv.includes('--default-policy');
const CONFIG = {
  LEDGER_CURRENCY: CURRENCY,
  LEDGER_RESERVE_BPS: 0,
  LEDGER_GENERAL_FUND_BPS: 500,
  LEDGER_MAX_DEPENDENCY_DEPTH: 3,
  LEDGER_CAP_WEIGHT_PER_SERVICE: DEFAULT_POLICY
    ? ledgerConfigSchema.shape.LEDGER_CAP_WEIGHT_PER_SERVICE.parse(undefined)
    : null,
  LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: DEFAULT_POLICY
    ? ledgerConfigSchema.shape.LEDGER_MIN_SUBSCRIBERS_PER_SERVICE.parse(undefined)
    : null,
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
  readonly allocateMs: number;
  readonly postMs: number;
  readonly storeMs: number;
  /** How long the close held the journal lock (mints and refunds wait that long at most). */
  readonly journalLockMs: number;
  readonly rowsPerSecond: number;
  readonly setupMs: number;
  readonly verified: boolean | null;
  readonly verifyMs: number | null;
  readonly peakRssMb: number;
  readonly eventLoopMaxMs: number;
}

/** What the child that ran the close reports (one JSON line on its stdout). */
interface ChildReport {
  readonly ms: number;
  readonly allocateMs: number;
  readonly postMs: number;
  readonly journalLockMs: number;
  readonly peakRssMb: number;
  readonly eventLoopMaxMs: number;
}

const log = (message: string) => console.error(`[bench] ${message}`);
const round = (value: number) => Math.round(value * 10) / 10;
const count = (value: number) => Math.round(value).toLocaleString('en-US');
const peakRssMb = () => round(process.resourceUsage().maxRSS / 1024);

/** Marks when the closer starts and ends posting (before it: streaming and allocating; after: storing). */
class Marks {
  lockedAt = 0;
  postStart = 0;
  postEnd = 0;
}

class TimedJournal extends LedgerJournal {
  constructor(private readonly marks: Marks) {
    super(new JournalRepository());
  }
  /** The first time the close asks for the lock: it holds it from then until it commits. */
  override async lock(manager: EntityManager): Promise<void> {
    await super.lock(manager);
    this.marks.lockedAt ||= performance.now();
  }
  override async postStreamed(
    manager: EntityManager,
    transaction: StreamedTransaction,
  ): Promise<PostOutcome> {
    this.marks.postStart = performance.now();
    const outcome = await super.postStreamed(manager, transaction);
    this.marks.postEnd = performance.now();
    return outcome;
  }
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index < 0 ? undefined : process.argv[index + 1];
}

const dataSourceFor = (adminUrl: string, schema: string, role: string) =>
  new DataSource(
    serviceDataSourceOptions({ url: adminUrl, schema, poolSize: 2, applicationName: `${schema}:${role}` }),
  );

async function runSize(adminUrl: string, subscribers: number, verifyMax: number): Promise<CloseResult> {
  const schema = `bench_close_${uniqueSuffix()}`;
  const setupStarted = performance.now();
  await migrateServiceSchema({
    adminUrl,
    runtimeUrl: adminUrl,
    schema,
    migrations: ledgerService.migrations ?? [],
  });
  const db = dataSourceFor(adminUrl, schema, 'setup');
  await db.initialize();
  try {
    log(`${count(subscribers)} subscribers: populating ${schema}`);
    await populateLedger(db, { period: PERIOD, subscribers, currency: CURRENCY }, log);
    const setupMs = performance.now() - setupStarted;
    log(
      `${count(subscribers)} subscribers: populated in ${(setupMs / 1000).toFixed(1)} s; closing in a child process`,
    );
    const child = await closeInChild(adminUrl, schema);
    const [{ usageRows, accounts } = { usageRows: 0, accounts: 0 }] = (await db.query(
      `SELECT (SELECT count(*)::int FROM usage_quantities WHERE period = $1) AS "usageRows",
              (SELECT count(*)::int - $2::int FROM ledger_entries WHERE transaction_key = $3) AS accounts`,
      [PERIOD, subscribers, `close:${PERIOD}`],
    )) as { usageRows: number; accounts: number }[];
    const [{ left } = { left: -1 }] = (await db.query(
      `SELECT count(*)::int AS left FROM ledger_balances WHERE account LIKE 'subscriber:%' AND balance <> 0`,
    )) as { left: number }[];
    if (left !== 0) throw new Error(`${left} subscriber escrows still hold tokens after the close`);
    let verified: boolean | null = null;
    let verifyMs: number | null = null;
    if (subscribers <= verifyMax) {
      log(`${count(subscribers)} subscribers: closed; verifying the ledger`);
      const verifyStarted = performance.now();
      const client = new pg.Client({ connectionString: adminUrl, options: `-c search_path=${schema}` });
      await client.connect();
      try {
        const report = await verifyLedger(client, CURRENCY);
        if (!report.ok) throw new Error(`verifyLedger failed: ${report.firstViolation}`);
        verified = true;
      } finally {
        await client.end();
      }
      verifyMs = round(performance.now() - verifyStarted);
    }
    return {
      subscribers,
      usageRows,
      accounts,
      ms: child.ms,
      allocateMs: child.allocateMs,
      postMs: child.postMs,
      storeMs: round(child.ms - child.allocateMs - child.postMs),
      journalLockMs: child.journalLockMs,
      rowsPerSecond: Math.round((usageRows / child.ms) * 1000),
      setupMs: round(setupMs),
      verified,
      verifyMs,
      peakRssMb: child.peakRssMb,
      eventLoopMaxMs: child.eventLoopMaxMs,
    };
  } finally {
    if (!process.argv.includes('--keep')) await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.destroy();
  }
}

/** Runs this file as `--close-child <schema>` with Node's default heap settings; returns what it reports. */
function closeInChild(adminUrl: string, schema: string): Promise<ChildReport> {
  // Node's defaults, whatever the bench itself was given; BENCH_CLOSE_NODE_OPTIONS (say --cpu-prof) for the close.
  const { NODE_OPTIONS: _ignored, BENCH_CLOSE_NODE_OPTIONS: closeOptions, ...env } = process.env;
  const policy = DEFAULT_POLICY ? ['--default-policy'] : [];
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.url), '--close-child', schema, ...policy],
    {
      env: {
        ...env,
        BENCH_CLOSE_ADMIN_URL: adminUrl,
        ...(closeOptions ? { NODE_OPTIONS: closeOptions } : {}),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const last = output.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as ChildReport);
      else reject(new Error(`the close's process ended with ${signal ?? `exit ${code}`}: ${last}`));
    });
  });
}

/** The child: the close alone, its event loop watched at 10 ms resolution, its peak RSS at the end. */
async function closeChild(schema: string): Promise<void> {
  const db = dataSourceFor(process.env.BENCH_CLOSE_ADMIN_URL ?? '', schema, 'close');
  await db.initialize();
  try {
    const marks = new Marks();
    const closer = ledgerCloser(db, new TimedJournal(marks), CONFIG);
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const started = performance.now();
    await closer.close(PERIOD, { force: true });
    const ms = performance.now() - started;
    loop.disable();
    const report: ChildReport = {
      ms: round(ms),
      allocateMs: round(marks.postStart - started),
      postMs: round(marks.postEnd - marks.postStart),
      journalLockMs: round(started + ms - marks.lockedAt),
      peakRssMb: peakRssMb(),
      eventLoopMaxMs: round(loop.max / 1e6),
    };
    console.log(JSON.stringify(report));
  } finally {
    await db.destroy();
  }
}

function printReport(results: readonly CloseResult[], loadBefore: number): void {
  console.log(
    `close benchmark: PeriodCloser.close(period, { force: true }) end to end, node ${process.version}`,
  );
  console.log(`${cpus().length} CPUs, 1-minute load average ${loadBefore.toFixed(2)} before the runs`);
  console.log(
    `anti-gaming knobs: ${DEFAULT_POLICY ? `the ledger's defaults (cap ${CONFIG.LEDGER_CAP_WEIGHT_PER_SERVICE}, minimum ${CONFIG.LEDGER_MIN_SUBSCRIBERS_PER_SERVICE} subscribers per service)` : 'off'}`,
  );
  const table = formatTable(
    [
      'subscribers',
      'usage rows',
      'accounts',
      'stream+allocate ms',
      'post ms',
      'store ms',
      'total ms',
      'journal lock ms',
      'rows/s',
      'peak RSS MB',
      'event loop max ms',
      'verified',
      'verify s',
      'setup s',
    ],
    results.map((result) => [
      count(result.subscribers),
      count(result.usageRows),
      count(result.accounts),
      result.allocateMs.toFixed(1),
      result.postMs.toFixed(1),
      result.storeMs.toFixed(1),
      result.ms.toFixed(1),
      result.journalLockMs.toFixed(1),
      count(result.rowsPerSecond),
      result.peakRssMb.toFixed(0),
      result.eventLoopMaxMs.toFixed(0),
      result.verified === null ? '-' : String(result.verified),
      result.verifyMs === null ? '-' : (result.verifyMs / 1000).toFixed(1),
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
      `${count(subscribers)} subscribers: ${result.ms.toFixed(0)} ms (stream+allocate ` +
        `${result.allocateMs.toFixed(0)}, post ${result.postMs.toFixed(0)}, store ${result.storeMs.toFixed(0)}; ` +
        `journal lock held ${result.journalLockMs.toFixed(0)}), ` +
        `peak RSS ${result.peakRssMb.toFixed(0)} MB, event loop max ${result.eventLoopMaxMs.toFixed(0)} ms`,
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
          allocateMs: result.allocateMs,
          postMs: result.postMs,
          storeMs: result.storeMs,
          journalLockMs: result.journalLockMs,
          peakRssMb: result.peakRssMb,
          eventLoopMaxMs: result.eventLoopMaxMs,
          verifyMs: result.verifyMs,
        })),
      }),
    );
  }
}

if (ROWS_PER_SUBSCRIBER !== 10)
  throw new Error('the close bench is specified at 10 usage rows per subscriber');
const childSchema = option('--close-child');
(childSchema ? closeChild(childSchema) : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

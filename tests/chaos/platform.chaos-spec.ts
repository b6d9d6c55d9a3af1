import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  allocatePeriod,
  parseAllocationInput,
  type PeriodAllocationJson,
  toAllocationJson,
} from '@onecommons/allocation';
import { periodOf, SERVICE_NAMES } from '@onecommons/contracts';
import { eventually, reconcilePayouts, testStack } from '@onecommons/testing';
import pg from 'pg';
import { ChaosFaults, type FaultOutcome } from './chaos-faults.js';
import {
  type DemoSeed,
  envFileOf,
  gatewayJson,
  injectStripeFault,
  lastJsonLine,
  login,
  runCommons,
  seedDemo,
} from './platform-client.js';
import { RecoveryReport } from './recovery-report.js';
import {
  inputTotals,
  ledgerProjectedTotals,
  meteringTotals,
  noPayoutPaidTwice,
  type PayoutsReconciliation,
  sumOf,
  usageDelivered,
  usageDifferences,
} from './usage-accounts.js';
import { UsageLoad } from './usage-load.js';

// Issue #12 (and #20 on replicas: `./dev test chaos --replicas 2 --kafka-nodes 3`). Under a steady usage load
// through the gateway, each service (one of its replicas) is killed with SIGKILL and started again, the Kafka
// broker (one node of the cluster) is killed and restarted, PostgreSQL crash-restarted and Redis flushed, one at a
// time. Afterwards every acknowledged usage event is counted exactly once (metering, the ledger's projection,
// the close's input), `commons ledger verify` passes, the forced close's allocation is what its exported
// input recomputes to, and no payout is paid twice. Runs on ./dev's chaos profile (own Postgres and Redis).

const stack = testStack();
const faults = ChaosFaults.fromEnvironment();
const workDir = mkdtempSync(path.join(tmpdir(), 'chaos-'));
const reportFile = path.join(stack.envDir, '..', 'chaos-report.json');
const METERS = ['active_seconds', 'requests', 'storage_mb_hours'];
const runStartedAt = Date.now();

let seed: DemoSeed;
let seedSeconds = 0;
let load: UsageLoad;
let report: RecoveryReport;
let period: string;
/** Payouts killed and Redis flushed right after the close, while the payout batch runs (when it exists). */
let payoutBatchCrash: Promise<FaultOutcome[]> | undefined;
let payoutsReconciliation: PayoutsReconciliation | undefined;

beforeAll(async () => {
  seed = await seedDemo(path.join(workDir, 'seed.json'));
  seedSeconds = (Date.now() - runStartedAt) / 1000;
  const time = new Date();
  period = periodOf(time);
  load = new UsageLoad({
    gatewayUrl: stack.gatewayUrl,
    services: seed.services,
    subscribers: seed.subscribers.map((subscriber) => subscriber.id),
    meters: METERS,
    source: `/chaos/usage-load/${runStartedAt}`,
    time,
    workers: 4,
    pauseMs: 150,
  });
  report = new RecoveryReport(load);
  load.start();
  await load.acknowledgedSince(Date.now(), 60_000);
}, 300_000);

afterAll(async () => {
  await load?.stop(0);
  if (report) {
    process.stderr.write(`[chaos] recovery per fault:\n${report.table()}\n`);
    const summary = {
      period,
      seconds: (Date.now() - runStartedAt) / 1000,
      seedSeconds,
      acknowledgedEvents: load.acknowledgedEvents,
      acknowledgedRequests: load.acknowledgements.length,
      failedAttempts: load.failures.length,
      duplicatesAnswered: load.duplicates,
      payoutsReconciliation,
    };
    process.stderr.write(`[chaos] ${JSON.stringify(summary)} (report: ${reportFile})\n`);
    report.write(reportFile, summary);
  }
  rmSync(workDir, { recursive: true, force: true });
});

/** Injects a fault while the load runs; done once a request sent after the injection is acknowledged. */
async function underLoad(inject: () => Promise<FaultOutcome>): Promise<void> {
  const outcome = await inject();
  const injectedAt = Date.parse(outcome.injectedAt);
  const back = await load.acknowledgedSince(injectedAt, 120_000);
  report.record(outcome, back);
  // Steady again before the next fault: a request sent after every service was ready is acknowledged.
  await load.acknowledgedSince(injectedAt + outcome.readyMs, 60_000);
}

/** `commons ledger verify --json`: its exit code and, when it ran, the report's verdict. */
async function ledgerVerify(): Promise<{ code: number; ok: boolean; firstViolation: string | null }> {
  const result = await runCommons(['ledger', 'verify', '--json', '--env-file', envFileOf('ledger')]);
  try {
    const verdict = lastJsonLine<{ ok: boolean; firstViolation: string | null }>(result);
    return { code: result.code, ok: verdict.ok, firstViolation: verdict.firstViolation };
  } catch {
    return { code: result.code, ok: false, firstViolation: `no report: ${result.stderr}` };
  }
}

const { replicas, kafkaNodes } = stack.topology;
/** With a Kafka cluster, a node other than the first address clients know, down long enough to matter. */
const KAFKA_FAULT = kafkaNodes === 1 ? { node: 0, downMs: 0 } : { node: 1, downMs: 10_000 };

describe(`the platform under a steady usage load (${replicas} replica(s) per service, ${kafkaNodes} Kafka node(s))`, () => {
  it.each([...SERVICE_NAMES])(
    replicas === 1 ? 'recovers from kill -9 of %s' : 'recovers from kill -9 of one replica of %s',
    async (service) => {
      await underLoad(() => faults.killService(service, SERVICE_NAMES.indexOf(service) % replicas));
    },
    240_000,
  );

  it(
    kafkaNodes === 1
      ? 'recovers from a Kafka broker killed (SIGKILL) and restarted on its log'
      : `recovers from one of ${kafkaNodes} Kafka nodes killed (SIGKILL), down ${KAFKA_FAULT.downMs / 1000} s, restarted on its log`,
    async () => {
      await underLoad(() => faults.restartKafka(KAFKA_FAULT));
    },
    300_000,
  );

  it('recovers from a PostgreSQL crash (pg_ctl stop -m immediate, 3 s down, crash recovery)', async () => {
    await underLoad(() => faults.restartPostgres(3_000));
  }, 300_000);

  it('recovers from a Redis FLUSHALL', async () => {
    await underLoad(() => faults.flushRedis());
  }, 240_000);
});

describe('after the faults', () => {
  let admin: pg.Pool;
  let adminToken: string;

  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
    adminToken = await login(seed.admin.email, seed.password);
  });

  afterAll(async () => {
    await admin?.end();
  });

  it('counted every acknowledged usage event exactly once, in metering and in the ledger', async () => {
    await load.stop(60_000);
    expect({ refused: load.refused, unacknowledged: load.unacknowledged }).toEqual({
      refused: [],
      unacknowledged: [],
    });
    // A steady load: thousands of events, some of them retried across the faults.
    expect(load.acknowledgedEvents).toBeGreaterThan(2_000);

    const metering = await meteringTotals(
      adminToken,
      seed.subscribers.map((subscriber) => subscriber.id),
      period,
    );
    expect(usageDifferences(load.totals, metering)).toEqual([]);

    await eventually('the ledger to consume all of metering’s usage', () => usageDelivered(admin), {
      timeoutMs: 180_000,
      intervalMs: 1_000,
    });
    const ledger = await ledgerProjectedTotals(admin, period);
    expect(usageDifferences(load.totals, ledger)).toEqual([]);
    expect(sumOf(ledger)).toBe(sumOf(load.totals));
  }, 300_000);

  it('passes commons ledger verify, and the forced close allocates what its exported input recomputes to', async () => {
    expect(await ledgerVerify()).toEqual({ code: 0, ok: true, firstViolation: null });
    // The close starts the payout batch: keep its Stripe transfers in flight, one of them with a lost answer
    // (made at Stripe, a 503 to payouts), so the crash below hits the batch while it runs.
    await injectStripeFault({ method: 'POST', path: '/v1/transfers', status: 503, afterExecution: true });
    await injectStripeFault({ method: 'POST', path: '/v1/transfers', status: 503, count: 4 });

    const close = await runCommons([
      'period',
      'close',
      '--period',
      period,
      '--force',
      // Until the ledger has applied every usage event metering announced for the period (its watermark).
      '--wait',
      '300',
      '--env-file',
      envFileOf('ledger'),
    ]);
    expect({ code: close.code, stderr: close.code === 0 ? '' : close.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const closed = lastJsonLine<{ period: string; status: string; merkleRoot: string; total: string }>(close);
    expect(closed).toMatchObject({ period, status: 'closed' });
    // Redis loses the batch's jobs and retries, then payouts dies mid-batch: Postgres must carry it through.
    payoutBatchCrash = (async () => [await faults.flushRedis(), await faults.killService('payouts')])();

    const input = await gatewayJson<{
      usage: { subscriber: string; service: string; meter: string; quantity: string }[];
    }>('GET', `/api/ledger/v1/periods/${period}/input`, { credential: adminToken });
    expect(input.status).toBe(200);
    expect(usageDifferences(load.totals, inputTotals(input.body))).toEqual([]);
    const parsed = parseAllocationInput(input.body);
    if (!parsed.ok) throw new Error(`the exported input does not parse: ${JSON.stringify(parsed.error)}`);
    const recomputed = toAllocationJson(allocatePeriod(parsed.input));

    const allocations = await gatewayJson<PeriodAllocationJson>(
      'GET',
      `/api/ledger/v1/periods/${period}/allocations`,
      { credential: adminToken },
    );
    expect(allocations.status).toBe(200);
    expect(allocations.body.merkleRoot).toBe(recomputed.merkleRoot);
    expect(closed.merkleRoot).toBe(recomputed.merkleRoot);
    expect(allocations.body).toEqual(recomputed);
    expect(BigInt(recomputed.total)).toBeGreaterThan(0n);

    // Closing again, through the admin API this time, answers the same close.
    const again = await gatewayJson('POST', `/api/ledger/v1/periods/${period}/close`, {
      credential: adminToken,
      body: { force: true },
    });
    expect(again).toEqual({ status: 200, body: closed });
    expect(await ledgerVerify()).toEqual({ code: 0, ok: true, firstViolation: null });
  }, 300_000);

  it('pays no payout twice though payouts is killed and Redis flushed while the batch runs', async () => {
    if (!payoutBatchCrash) throw new Error('the period was not closed: no payout batch ran');
    for (const outcome of await payoutBatchCrash) report.record(outcome);
    await eventually(
      'the payout batch to finish (nothing left to submit; bank payouts wait for the bank)',
      async () => {
        const { rows } = await admin.query<{ batches: number; open: number }>(
          `SELECT (SELECT count(*)::int FROM payouts.payout_batches WHERE period = $1) AS batches,
                    (SELECT count(*)::int FROM payouts.payouts WHERE period = $1
                        AND (state IN ('scheduled', 'submitting') OR (state = 'submitted' AND rail = 'stripe')))
                      AS open`,
          [period],
        );
        return rows[0]?.batches === 1 && rows[0].open === 0 ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const result = await reconcilePayouts(period, stack.envDir);
    const reconciliation =
      result.code <= 1 ? lastJsonLine<PayoutsReconciliation>(result) : ({ usage: result.stderr } as const);
    if ('usage' in reconciliation)
      throw new Error(`commons payouts reconcile refused its arguments: ${reconciliation.usage}`);
    payoutsReconciliation = reconciliation;
    // Something was paid (else "no payout paid twice" holds for nothing), none twice, and all agree.
    expect({
      somethingPaid: BigInt(reconciliation.paid) > 0n,
      noPayoutPaidTwice: noPayoutPaidTwice(reconciliation),
      reconciliation,
    }).toEqual({ somethingPaid: true, noPayoutPaidTwice: true, reconciliation });
    expect(await ledgerVerify()).toEqual({ code: 0, ok: true, firstViolation: null });
  }, 300_000);
});

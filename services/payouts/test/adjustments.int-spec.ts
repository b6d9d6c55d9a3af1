import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ClosedPeriodUsageCorrectedV1,
  type CloudEvent,
  ContractVersionPublishedV1,
  createEvent,
  type DeepReadonly,
  eventCatalogue,
  findReport,
  LedgerVerifyReportContract,
  MeterDefinedV1,
  PayablesReportContract,
  PaymentCapturedV1,
  PayoutsReportContract,
  PeriodClosedV1,
  periodOf,
  ProjectCreatedV1,
  type PayoutsReconciliation,
  reconcilePayoutReports,
  type ReportContract,
  reportLine,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  TOPICS,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
// Payouts' adjustments come from the real ledger (booted by its definition, nothing internal):
import { ledgerReports, ledgerService } from '@onecommons/ledger/definition';
import { serviceDataSourceOptions } from '@onecommons/persistence';
import {
  consumerCaughtUp,
  envFileOf,
  eventually,
  jsonRequest,
  lastJsonLine,
  MeteringStandIn,
  reconcilePayouts,
  type RunningService,
  startService,
} from '@onecommons/testing';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { type z } from 'zod';
import { StripeTransferRail } from '../src/rails/stripe-transfer-rail.js';
import { payoutsReport } from '../src/reconcile/payouts-report.js';
import { PayoutsReportRepository } from '../src/reconcile/payouts-report.repository.js';
import { type Account, PayoutsStack } from './payouts-stack.js';

// Money follows an adjustment of a closed period (docs/trust-rules.md), with the real ledger and payouts over Kafka and the
// fake Stripe: a payee already paid for the period is debited below zero and held; a later credit nets against
// the debt first; nothing is paid twice or below zero; the checks of `commons ledger verify` and
// `commons payouts reconcile` hold after each step (run in this process; the commands themselves once, at the end).

// Periods of this run alone (other files use 2020 and later). Other files' ledgers still close them once they are
// sealed (a scheduler closes every due period it has usage of), and payouts makes a period's batch on the first
// close it hears of: so a payee's money may be paid in another batch than its period's, and the checks below count
// what was paid in total; `flushBatch` runs one more batch so that nothing payable waits for a close to come.
const YEAR = 1971 + (crypto.getRandomValues(new Uint16Array(1))[0]! % 49);
const P1 = `${YEAR}-01`;
const P2 = `${YEAR}-02`;
const P3 = `${YEAR}-03`;
const FLUSHES = [`${YEAR}-10`, `${YEAR}-11`, `${YEAR}-12`];
const CURRENT = periodOf(new Date());
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
/** A currency of this run alone: this ledger mints only this file's payments (as the ledger's tests do). */
const CUR = [...crypto.getRandomValues(new Uint8Array(3))].map((byte) => LETTERS[byte % 26]).join('');
const catalog = { source: '/onecommons/catalog' };

const ids = {
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
  cloud: { service: uuidV7(), project: uuidV7(), operator: uuidV7() },
  wiki: { service: uuidV7(), project: uuidV7(), operator: uuidV7() },
  subscriber: uuidV7(),
};

let stack: PayoutsStack;
let ledger: RunningService;
let envDir: string;
/** The ledger's schema, read as the ledger's runtime role, and payouts' tables and rail, as the commands read them. */
let ledgerReader: pg.Client;
let payoutsReader: DataSource;
let rail: StripeTransferRail;
let alice: Account;
let bob: Account;
/** The batches made before the adjustment of P1 was applied. */
let batchesBeforeAdjustment: string[] = [];
const payee = (account: Account) => `member:${account.id}`;

/** Publishes events onto their topics, keyed by subject, as the owning services' relays would. */
async function publish(events: readonly CloudEvent[]): Promise<void> {
  for (const event of events) {
    const topic = eventCatalogue.contractOf(event.type)?.topic;
    if (!topic) throw new Error(`no topic for ${event.type}`);
    await stack.producer.send(topic, event.subject, JSON.stringify(event));
  }
}

/** Both services have applied everything the other published (the ledger's outbox included). */
async function settled(): Promise<void> {
  await eventually('the ledger and payouts to catch up with each other', async () => {
    const [pending] = await ledger.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    const [payoutsPending] = await stack.payouts.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    if (pending?.n !== 0 || payoutsPending?.n !== 0) return undefined;
    const ledgerDone = await consumerCaughtUp(ledger.consumerGroup, [
      TOPICS.identityEvents.name,
      TOPICS.catalogEvents.name,
      TOPICS.meteringUsage.name,
      TOPICS.payoutsEvents.name,
    ]);
    const payoutsDone = await consumerCaughtUp(stack.consumerGroup, [TOPICS.ledgerEvents.name]);
    return ledgerDone && payoutsDone ? true : undefined;
  });
}

/** The one place this file closes periods: metering's stand-in seals the period, then the admin closes it. */
async function closePeriod(period: string): Promise<void> {
  await new MeteringStandIn(stack.producer).seal([period]);
  const closed = await jsonRequest(`${ledger.url}/api/ledger/v1/periods/${period}/close`, 'POST', {
    credential: stack.admin.token,
    body: { force: true },
  });
  expect(closed).toMatchObject({ status: 200, body: { period, status: 'closed' } });
}

/** A month of the subscriber: a payment and usage of the two services. */
function month(period: string, amountMinor: string, cloudSeconds: string, wikiSeconds: string): CloudEvent[] {
  return [
    createEvent(
      UsageRecordedV1,
      {
        subscriberId: ids.subscriber,
        period,
        usage: [
          { serviceId: ids.cloud.service, meter: ids.meter, quantity: cloudSeconds, events: 1 },
          { serviceId: ids.wiki.service, meter: ids.meter, quantity: wikiSeconds, events: 1 },
        ].filter((row) => row.quantity !== '0'),
        recordedAt: new Date().toISOString(),
      },
      { source: '/onecommons/metering' },
    ),
    createEvent(
      PaymentCapturedV1,
      {
        subscriber: ids.subscriber,
        subscriptionId: uuidV7(),
        period,
        amountMinor,
        currency: CUR,
        paymentId: uuidV7(),
        provider: 'stripe',
        providerPaymentId: `in_${uuidV7()}`,
        providerEventId: `evt_${uuidV7()}`,
        capturedAt: new Date().toISOString(),
      },
      { source: '/onecommons/identity' },
    ),
  ];
}

/**
 * The ledger's checks hold (those of `commons ledger verify`) and payouts agrees with it on each period (as
 * `commons payouts reconcile` compares them), checked in this process: the commands' processes, a few per period,
 * were most of this file's time. The last test runs `commons payouts reconcile` itself.
 */
async function consistent(...periods: string[]): Promise<void> {
  const verified = asTheCommandReads(LedgerVerifyReportContract, {
    schema: ledger.schema,
    ...(await ledgerReports.verify(ledgerReader, CUR)),
  });
  expect({ ok: verified.ok, firstViolation: verified.firstViolation }).toEqual({
    ok: true,
    firstViolation: null,
  });
  await paidAll(); // a foreign close's batch may have paid a credit meanwhile: both sides hear of it first
  for (const period of periods) await reconciled(period, reconcileInProcess);
}

/** A report as the CLI reads it from a command's output: written, then parsed by its contract. */
function asTheCommandReads<Schema extends z.ZodType>(
  contract: ReportContract<Schema>,
  report: DeepReadonly<z.input<Schema>>,
): z.output<Schema> {
  const read = findReport(contract, reportLine(contract, report));
  if (read === undefined) throw new Error(`no "${contract.key}" report`);
  return read;
}

/** The ledger's and payouts' reports of the period, compared as `commons payouts reconcile` compares them. */
async function reconcileInProcess(period: string): Promise<{ code: number; result: PayoutsReconciliation }> {
  const ledgerSide = asTheCommandReads(
    PayablesReportContract,
    await ledgerReports.payables(ledgerReader, period, CUR),
  );
  const payoutsSide = asTheCommandReads(
    PayoutsReportContract,
    await payoutsReport(
      new PayoutsReportRepository(),
      payoutsReader.manager,
      period,
      ledgerSide.currency,
      rail.listTransfers(`payouts:${period}`),
    ),
  );
  const result = reconcilePayoutReports(ledgerSide, payoutsSide);
  return { code: result.consistent ? 0 : 1, result }; // the command's exit code
}

/** `commons payouts reconcile` itself, as a user runs it. */
async function reconcileByCommand(period: string): Promise<{ code: number; result: PayoutsReconciliation }> {
  const reconcile = await reconcilePayouts(period, envDir);
  return { code: reconcile.code, result: lastJsonLine<PayoutsReconciliation>(reconcile) };
}

/** Payouts and the ledger agree once each has applied the other's events: reconciles until it finds nothing. */
async function reconciled(
  period: string,
  reconcile: (period: string) => Promise<{ code: number; result: PayoutsReconciliation }>,
): Promise<void> {
  let last:
    { period: string; code: number; problems: readonly string[]; result: PayoutsReconciliation } | undefined;
  const agreed = await eventually(
    `payouts reconcile --period ${period} to find it consistent`,
    async () => {
      const { code, result } = await reconcile(period);
      last = { period, code, problems: result.problems, result };
      return code === 0 && result.problems?.length === 0 ? last : undefined;
    },
    { intervalMs: 200 },
  ).catch(() => last);
  expect({ period: agreed?.period, code: agreed?.code, problems: agreed?.problems }).toEqual({
    period,
    code: 0,
    problems: [],
  });
  expect(agreed?.result).toMatchObject({ consistent: true, duplicates: 0 });
}

interface PayeeView {
  balances: { currency: string; payableMinor: string }[];
  nextPayout: { status: string; reason: string | null };
}

async function payableOf(account: Account): Promise<{ payouts: bigint; ledger: bigint; view: PayeeView }> {
  const view = (await stack.call<PayeeView>('GET', `/payees/${payee(account)}`, account.token)).body;
  const [row] = await ledger.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
    [`payable:${payee(account)}`, CUR],
  );
  return {
    payouts: BigInt(view.balances.find((balance) => balance.currency === CUR)?.payableMinor ?? '0'),
    ledger: BigInt(row?.balance ?? '0'),
    view,
  };
}

const payoutsOf = (account: Account) =>
  stack.payouts.query<{ period: string; amount_minor: string; state: string; id: string }>(
    `SELECT period, amount_minor::text AS amount_minor, state, id FROM payouts WHERE payee = $1 ORDER BY period`,
    [payee(account)],
  );

/** What the account was paid in this file's currency, in all: its succeeded payouts. */
async function paidTotal(account: Account): Promise<bigint> {
  const rows = await stack.payouts.query<{ amount_minor: string; state: string }>(
    `SELECT amount_minor::text AS amount_minor, state FROM payouts WHERE payee = $1 AND currency = $2`,
    [payee(account), CUR],
  );
  expect(rows.every((row) => row.state === 'succeeded' && BigInt(row.amount_minor) > 0n)).toBe(true);
  return rows.reduce((sum, row) => sum + BigInt(row.amount_minor), 0n);
}

/** What the payee's payouts hold (in flight or paid), as its payable balance subtracts them. */
async function payoutsTotal(account: Account): Promise<bigint> {
  const [row] = await stack.payouts.query<{ total: string }>(
    `SELECT coalesce(sum(amount_minor), 0)::text AS total FROM payouts
      WHERE payee = $1 AND currency = $2 AND state NOT IN ('failed', 'reversed')`,
    [payee(account), CUR],
  );
  return BigInt(row?.total ?? '0');
}

/**
 * Another batch, as the close of a period of nobody's would make: what the last close left payable because another
 * file's ledger announced the same period first is paid now. Returns the batch's period, for reconcile.
 */
async function flushBatch(): Promise<string> {
  const period = FLUSHES.shift();
  if (!period) throw new Error('no flush period left');
  await publish([
    createEvent(
      PeriodClosedV1,
      {
        period,
        total: '0',
        merkleRoot: '00'.repeat(32),
        accounts: 0,
        subscribers: 0,
        closedAt: new Date().toISOString(),
      },
      { source: '/onecommons/ledger' },
    ),
  ]);
  await eventually('the flush batch', async () => {
    const [batch] = await stack.payouts.query('SELECT 1 FROM payout_batches WHERE period = $1', [period]);
    return batch ? true : undefined;
  });
  await paidAll();
  return period;
}

async function paidAll(): Promise<void> {
  await eventually('every scheduled payout to be paid', async () => {
    const [open] = await stack.payouts.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM payouts WHERE currency = $1 AND state <> 'succeeded'`,
      [CUR],
    );
    return open?.n === 0 ? true : undefined;
  });
  await settled();
}

beforeAll(async () => {
  stack = await PayoutsStack.start(
    // Any positive balance is paid: what a foreign batch leaves over (Bob's 950) would be carried below 1000.
    { PAYOUTS_DEFAULT_THRESHOLD_MINOR: '1' },
    { stripeBalance: `${CUR.toLowerCase()}:1000000000` },
  );
  ledger = await startService(ledgerService, {
    env: {
      LEDGER_CURRENCY: CUR,
      LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off',
      // Only this file's closes: a scheduler would also close other tests' periods once their seals arrive.
      LEDGER_CLOSE_SCHEDULE_SECONDS: '3600',
      AUTH_JWKS_URL: `${stack.identity.url}/api/identity/v1/.well-known/jwks.json`,
      AUTH_ACCESS_URL: `${stack.identity.url}/api/identity/v1/internal/access`,
    },
  });
  envDir = mkdtempSync(path.join(tmpdir(), 'adjustments-'));
  envFileOf(ledger, path.join(envDir, 'ledger.env'));
  envFileOf(stack.payouts, path.join(envDir, 'payouts.env'));
  ledgerReader = new pg.Client({ connectionString: ledger.config.DATABASE_URL });
  await ledgerReader.connect();
  await ledgerReader.query(`SET search_path TO ${pg.escapeIdentifier(ledger.schema)}`);
  payoutsReader = new DataSource(
    serviceDataSourceOptions({
      url: stack.payouts.env['DATABASE_URL'] as string,
      schema: stack.payouts.schema,
      poolSize: 1,
      applicationName: 'payouts:reconcile-test',
    }),
  );
  await payoutsReader.initialize();
  rail = new StripeTransferRail({
    secretKey: stack.payouts.env['STRIPE_SECRET_KEY'] as string,
    apiBase: stack.payouts.env['STRIPE_API_BASE'] as string,
  });
  alice = await stack.account('alice');
  bob = await stack.account('bob');
  await stack.stripeAccount(payee(alice), alice);
  await stack.stripeAccount(payee(bob), bob);
  // Alice is cloud's project's only member, Bob wiki's; the developers' share is half of each service's.
  await publish([
    createEvent(ServiceTypeDefinedV1, { name: ids.type, providerBps: 0, developerBps: 5000 }, catalog),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '1' }, catalog),
    ...[
      { ...ids.cloud, member: alice },
      { ...ids.wiki, member: bob },
    ].flatMap((entry) => [
      createEvent(
        ProjectCreatedV1,
        { projectId: entry.project, organizationId: uuidV7(), name: `P ${entry.project}`, packageNames: [] },
        catalog,
      ),
      createEvent(
        ContractVersionPublishedV1,
        {
          projectId: entry.project,
          version: 1,
          effectiveFrom: P1,
          dependenciesBps: 0,
          members: [{ account: entry.member.id, weight: '1' }],
        },
        catalog,
      ),
      createEvent(
        ServiceCreatedV1,
        {
          serviceId: entry.service,
          operatorId: entry.operator,
          appId: uuidV7(),
          projectId: entry.project,
          type: ids.type,
          domain: `${entry.service}.example.org`,
          providerBps: null,
          developerBps: null,
          status: 'active',
        },
        catalog,
      ),
    ]),
    // 100.00: 5% to the fund, 95.00 split 600 : 400 between the services, half of each to its project's member.
    ...month(P1, '10000', '600', '400'),
  ]);
  await settled();
});

afterAll(async () => {
  await ledgerReader?.end();
  await payoutsReader?.destroy();
  await ledger?.stop();
  await stack?.stop();
});

describe('an adjustment after the period was paid out', () => {
  it('pays the closed period as usual', async () => {
    await closePeriod(P1);
    await settled();
    await paidAll();
    const flushed = await flushBatch();
    expect(await paidTotal(alice)).toBe(2850n);
    expect(await paidTotal(bob)).toBe(1900n);
    expect(await payableOf(alice)).toMatchObject({ payouts: 0n, ledger: 0n });
    expect(await payableOf(bob)).toMatchObject({ payouts: 0n, ledger: 0n });
    await consistent(P1, flushed);
  });

  it('debits a payee already paid below zero and holds it; credits the other', async () => {
    // Cloud reported 500 seconds too many: 100 : 400 moves 1900 of Alice's 2850 to Bob.
    await publish([
      createEvent(
        ClosedPeriodUsageCorrectedV1,
        {
          subscriberId: ids.subscriber,
          period: P1,
          serviceId: ids.cloud.service,
          meter: ids.meter,
          delta: '-500',
          correction: { source: `/services/${ids.cloud.service}`, id: 'fix-1' },
          original: { source: `/services/${ids.cloud.service}`, id: 'usage-1', quantity: '600' },
          correctedAt: new Date().toISOString(),
        },
        { source: '/onecommons/metering' },
      ),
    ]);
    await settled();
    const adjusted = await jsonRequest<{
      outcome: string;
      adjustment: { postedIn: string; payables: { payee: string; amountMinor: string }[] };
    }>(`${ledger.url}/api/ledger/v1/periods/${P1}/adjustments`, 'POST', {
      credential: stack.admin.token,
      body: { reason: 'cloud double-counted a session' },
    });
    expect(adjusted).toMatchObject({
      status: 200,
      body: { outcome: 'adjusted', adjustment: { postedIn: CURRENT } },
    });
    expect(
      Object.fromEntries(adjusted.body.adjustment.payables.map((row) => [row.payee, row.amountMinor])),
    ).toEqual({
      [payee(alice)]: '-1900',
      [payee(bob)]: '1900',
      // The operators' halves move the same way (they have no payout account: held either way).
      [`operator:${ids.cloud.operator}`]: '-1900',
      [`operator:${ids.wiki.operator}`]: '1900',
    });
    await settled();
    // Alice's P1 money may have been paid in any batch made before this point (see above); every later one holds her.
    batchesBeforeAdjustment = (
      await stack.payouts.query<{ period: string }>('SELECT period FROM payout_batches')
    ).map((row) => row.period);
    const owing = await payableOf(alice);
    expect(owing).toMatchObject({ payouts: -1900n, ledger: -1900n });
    expect(owing.view.nextPayout).toMatchObject({ status: 'held', reason: 'negative_balance' });
    // Bob's 1900 is payable, unless a batch another file's close made since has already taken it into a payout.
    expect((await payableOf(bob)).payouts + (await payoutsTotal(bob)) - 1900n).toBe(1900n);

    const statement = await stack.call<{
      adjustments: { adjustedPeriod: string; amountMinor: string; reason: string; corrections: unknown[] }[];
      closing: { currency: string; amountMinor: string }[];
    }>('GET', `/payees/${payee(alice)}/statement?period=${CURRENT}`, alice.token);
    expect(statement.body.adjustments).toEqual([
      expect.objectContaining({
        adjustedPeriod: P1,
        amountMinor: '-1900',
        reason: 'cloud double-counted a session',
        corrections: [
          {
            serviceId: ids.cloud.service,
            meter: ids.meter,
            delta: '-500',
            source: `/services/${ids.cloud.service}`,
            id: 'fix-1',
          },
        ],
      }),
    ]);
    expect(statement.body.closing).toEqual([{ currency: CUR, amountMinor: '-1900' }]);
    // Bob cannot read Alice's statement.
    expect(
      (await stack.call('GET', `/payees/${payee(alice)}/statement?period=${CURRENT}`, bob.token)).status,
    ).toBe(404);
    await consistent(P1, CURRENT);
  });

  it('holds the payee in the next batch and pays nothing below zero', async () => {
    // Only wiki this month: Bob gets more, Alice nothing.
    await publish(month(P2, '2000', '0', '100'));
    await settled();
    await closePeriod(P2);
    await settled();
    await paidAll();
    const flushed = await flushBatch();
    // Every batch since the adjustment (P2's among them) held Alice at her debt; she was paid nothing more.
    const lines = await stack.payouts.query<{
      period: string;
      outcome: string;
      reason: string;
      available_minor: string;
    }>(
      `SELECT period, outcome, reason, available_minor::text AS available_minor FROM batch_lines
        WHERE payee = $1 AND currency = $2 AND period <> ALL($3::text[])`,
      [payee(alice), CUR, batchesBeforeAdjustment],
    );
    expect(lines.map((line) => line.period)).toContain(P2);
    for (const line of lines) {
      expect(line).toMatchObject({ outcome: 'held', reason: 'negative_balance', available_minor: '-1900' });
    }
    expect(await paidTotal(alice)).toBe(2850n);
    // Bob: P1's 1900, then the adjustment's 1900 and P2's 950.
    expect(await paidTotal(bob)).toBe(1900n + 1900n + 950n);
    expect(await payableOf(bob)).toMatchObject({ payouts: 0n, ledger: 0n });
    await consistent(P2, flushed, CURRENT);
  });

  it('nets a later credit against the debt first, then pays only the rest, once', async () => {
    // Only cloud this month: 190.00 → 9025 for Alice, of which 1900 repays the debt.
    await publish(month(P3, '19000', '100', '0'));
    await settled();
    await closePeriod(P3);
    await settled();
    await paidAll();
    const flushed = await flushBatch();
    // P1's 2850, then 9025 less the 1900 she owed: 7125, never the 9025.
    expect(await paidTotal(alice)).toBe(2850n + 7125n);
    expect(await payableOf(alice)).toMatchObject({ payouts: 0n, ledger: 0n });
    for (const payout of await payoutsOf(alice)) {
      const attempts = await stack.stripe.attempts(`payout:${payout.id}`);
      expect(attempts.filter((attempt) => attempt.outcome === 'created')).toHaveLength(1);
    }
    await consistent(P1, P2, P3, flushed, CURRENT);
    // The command itself, once (`commons ledger verify` runs in the ledger's own tests: period-adjustments').
    await reconciled(P1, reconcileByCommand);
  });
});

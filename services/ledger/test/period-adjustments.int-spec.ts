import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  allocatePeriod,
  parseAllocationInput,
  type PeriodAllocation,
  verifyMerkleProof,
} from '@onecommons/allocation';
import {
  ClosedPeriodUsageCorrectedV1,
  ContractVersionPublishedV1,
  createEvent,
  MeterDefinedV1,
  PayoutScheduledV1,
  periodOf,
  ProjectCreatedV1,
  ResourceUsageReportedV1,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import {
  jsonRequest,
  MeteringStandIn,
  RawProducer,
  runCommons,
  type RunningService,
  startService,
} from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import {
  caughtUp,
  ledgerEnvFile,
  NO_SCHEDULED_CLOSES,
  paymentCaptured,
  publish,
  testCurrency,
  verifyLedgerSchema,
} from './ledger-events.js';
import { LedgerIdentity } from './ledger-identity.js';
import { sealAndClose } from './metering-stand-in.js';

// Adjusting a closed period (docs/trust-rules.md "nothing closed is rewritten"): usage corrections of a sealed period wait
// in the ledger (never in the close's input); an admin's adjustment recomputes the allocation on the close's own
// input with them and posts only the difference, once, in the current period; the closed period's entries and
// their hash chain stay as they were; the adjusted root is public, the adjusted amounts their holders' own.

const PERIOD = '2022-03';
const NEVER_CLOSED = '2022-04';
const CUR = testCurrency();
const catalog = { source: '/onecommons/catalog' };

let accounts: LedgerIdentity;
let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
let adminToken: string;
let userToken: string;
let memberToken: string;

const ids = {
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
  project: uuidV7(),
  developerOrg: uuidV7(),
  member: '',
  contributor: uuidV7(),
  provider: uuidV7(),
  cloud: { service: uuidV7(), operator: uuidV7() },
  wiki: { service: uuidV7(), operator: uuidV7() },
  /** Known to the ledger, unused in the period until a correction adds usage to it. */
  mail: { service: uuidV7(), operator: uuidV7() },
  heavy: uuidV7(),
  light: uuidV7(),
  free: uuidV7(),
};

const json = jsonRequest;
const ledgerApi = (pathname: string) => `${ledger.url}/api/ledger/v1${pathname}`;

/** The one place this file closes periods: metering's stand-in seals the period first. */
const closePeriod = (period: string) => sealAndClose(ledger, new MeteringStandIn(producer), period);

function service(entry: { service: string; operator: string }, projectId: string | null) {
  return createEvent(
    ServiceCreatedV1,
    {
      serviceId: entry.service,
      operatorId: entry.operator,
      appId: uuidV7(),
      projectId,
      type: ids.type,
      domain: `${entry.service}.example.org`,
      providerBps: null,
      developerBps: null,
      status: 'active',
    },
    catalog,
  );
}

function usage(subscriberId: string, serviceId: string, quantity: string) {
  return createEvent(
    UsageRecordedV1,
    {
      subscriberId,
      period: PERIOD,
      usage: [{ serviceId, meter: ids.meter, quantity, events: 1 }],
      recordedAt: new Date().toISOString(),
    },
    { source: '/onecommons/metering' },
  );
}

interface Correction {
  readonly subscriberId: string;
  readonly serviceId: string;
  readonly delta: string;
  readonly id: string;
}

/** A correction of the sealed period as metering publishes it; every delivery is a new CloudEvent. */
function corrected(correction: Correction, period = PERIOD) {
  return createEvent(
    ClosedPeriodUsageCorrectedV1,
    {
      subscriberId: correction.subscriberId,
      period,
      serviceId: correction.serviceId,
      meter: ids.meter,
      delta: correction.delta,
      correction: { source: `/services/${correction.serviceId}`, id: correction.id },
      original: { source: `/services/${correction.serviceId}`, id: `orig-${correction.id}`, quantity: '600' },
      correctedAt: new Date().toISOString(),
    },
    { source: '/onecommons/metering' },
  );
}

interface AdjustmentBody {
  period: string;
  outcome: 'adjusted' | 'nothing_to_adjust';
  adjustment: {
    sequence: number;
    postedIn: string;
    transactionKey: string | null;
    merkleRoot: string;
    previousMerkleRoot: string;
    reason: string;
    adjustedBy: string;
    differences: { account: string; tokens: string }[];
    payables: { payee: string; tokens: string; amountMinor: string }[];
    corrections: { subscriber: string; service: string; delta: string; notAppliedReason: string | null }[];
  } | null;
}

const adjust = (credential: string | undefined, body: unknown, period = PERIOD) =>
  json<AdjustmentBody>(ledgerApi(`/periods/${period}/adjustments`), 'POST', {
    ...(credential ? { credential } : {}),
    body,
  });

/** The close's recorded input with these corrections applied and `extra` services known, allocated. */
async function expectedAllocation(
  corrections: readonly Correction[],
  extra: readonly Record<string, unknown>[] = [],
): Promise<PeriodAllocation> {
  const input = (
    await json<Record<string, unknown>>(ledgerApi(`/periods/${PERIOD}/input`), 'GET', {
      credential: adminToken,
    })
  ).body as {
    usage: { subscriber: string; service: string; meter: string; quantity: string }[];
    services: unknown[];
  };
  const usage = [...input.usage];
  for (const correction of corrections) {
    const at = usage.findIndex(
      (row) => row.subscriber === correction.subscriberId && row.service === correction.serviceId,
    );
    const quantity = BigInt(at >= 0 ? (usage[at]?.quantity ?? '0') : '0') + BigInt(correction.delta);
    const row = {
      subscriber: correction.subscriberId,
      service: correction.serviceId,
      meter: ids.meter,
      quantity: quantity.toString(),
    };
    if (at >= 0) usage[at] = row;
    else usage.push(row);
  }
  const parsed = parseAllocationInput({ ...input, usage, services: [...input.services, ...extra] });
  if (!parsed.ok) throw new Error(`${parsed.error.path}: ${parsed.error.reason}`);
  return allocatePeriod(parsed.input);
}

function differencesBetween(
  before: PeriodAllocation | { allocations: readonly { account: string; amount: string | bigint }[] },
  after: PeriodAllocation,
) {
  const tokens = new Map<string, bigint>();
  for (const row of before.allocations)
    tokens.set(row.account, (tokens.get(row.account) ?? 0n) - BigInt(row.amount));
  for (const row of after.allocations) tokens.set(row.account, (tokens.get(row.account) ?? 0n) + row.amount);
  return Object.fromEntries(
    [...tokens].filter(([, value]) => value !== 0n).map(([account, value]) => [account, value.toString()]),
  );
}

/** The closed period's own transactions and entries, as stored (hashes and links included). */
const closedRows = () =>
  ledger.query(
    `SELECT t.key, t.seq::text AS seq, t.kind, t.prev_hash, t.hash, t.memo,
            json_agg(json_build_array(e.line, e.account, e.unit, e.amount::text) ORDER BY e.line) AS entries
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
      WHERE t.period = $1 GROUP BY t.key, t.seq ORDER BY t.seq`,
    [PERIOD],
  );

const adjustmentTransactions = () =>
  ledger.query<{ key: string; period: string }>(
    `SELECT key, period FROM ledger_transactions WHERE kind = 'period_adjustment' ORDER BY seq`,
  );

async function payableOf(payee: string): Promise<bigint> {
  const [row] = await ledger.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
    [`payable:${payee}`, CUR],
  );
  return BigInt(row?.balance ?? '0');
}

/**
 * The checks of `commons ledger verify` hold, run in this process (the command's two processes cost more than this
 * file's steps; the command itself fails the last test here, and passes in treasury's).
 */
async function verified(): Promise<void> {
  const report = await verifyLedgerSchema(ledger, CUR);
  expect({ ok: report.ok, firstViolation: report.firstViolation }).toEqual({
    ok: true,
    firstViolation: null,
  });
}

const c1: Correction = {
  subscriberId: ids.heavy,
  serviceId: ids.cloud.service,
  delta: '-300',
  id: `c1-${uuidV7()}`,
};
const c2: Correction = {
  subscriberId: ids.light,
  serviceId: ids.wiki.service,
  delta: '100',
  id: `c2-${uuidV7()}`,
};
const c3: Correction = {
  subscriberId: ids.light,
  serviceId: ids.mail.service,
  delta: '50',
  id: `c3-${uuidV7()}`,
};
const free: Correction = {
  subscriberId: ids.free,
  serviceId: ids.cloud.service,
  delta: '900',
  id: `f-${uuidV7()}`,
};
let closedAllocation: { merkleRoot: string; allocations: { account: string; amount: string }[] };

beforeAll(async () => {
  accounts = await LedgerIdentity.start();
  ledger = await startService(ledgerService, {
    env: {
      LEDGER_CURRENCY: CUR,
      LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off',
      ...accounts.ledgerEnv,
      ...NO_SCHEDULED_CLOSES,
    },
  });
  adminToken = accounts.adminToken;
  producer = await RawProducer.connect();
  userToken = await accounts.login('user');
  memberToken = await accounts.login('member');
  ids.member = await accounts.accountId(memberToken);

  await publish(producer, [
    createEvent(ServiceTypeDefinedV1, { name: ids.type, providerBps: 3000, developerBps: 2000 }, catalog),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '1' }, catalog),
    createEvent(
      ProjectCreatedV1,
      {
        projectId: ids.project,
        organizationId: ids.developerOrg,
        name: `P ${ids.project}`,
        packageNames: [],
      },
      catalog,
    ),
    createEvent(
      ContractVersionPublishedV1,
      {
        projectId: ids.project,
        version: 1,
        effectiveFrom: PERIOD,
        dependenciesBps: 0,
        members: [
          { account: ids.member, weight: '3' },
          { account: ids.contributor, weight: '1' },
        ],
      },
      catalog,
    ),
    service(ids.cloud, ids.project),
    service(ids.wiki, null),
    service(ids.mail, null),
    createEvent(
      ResourceUsageReportedV1,
      {
        serviceId: ids.cloud.service,
        providerId: ids.provider,
        period: PERIOD,
        points: '100',
        uptimeSeconds: '100',
        reportedAt: new Date().toISOString(),
      },
      { source: '/onecommons/provisioner' },
    ),
    usage(ids.heavy, ids.cloud.service, '600'),
    usage(ids.heavy, ids.wiki.service, '400'),
    usage(ids.light, ids.cloud.service, '60'),
    paymentCaptured({ subscriber: ids.heavy, period: PERIOD, amountMinor: '1000', currency: CUR }),
    paymentCaptured({ subscriber: ids.light, period: PERIOD, amountMinor: '500', currency: CUR }),
    // Metering corrects the heavy subscriber's cloud usage after it sealed the period, before the ledger closes it.
    corrected(c1),
  ]);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer?.stop();
  await ledger?.stop();
  await accounts?.stop();
});

describe('a correction of a sealed period', () => {
  it('waits for the close and is not part of its input', async () => {
    const open = await json<{ status: string; pendingCorrections: number }>(
      ledgerApi(`/periods/${PERIOD}`),
      'GET',
      {
        credential: userToken,
      },
    );
    expect(open.body).toMatchObject({ status: 'open', pendingCorrections: 1 });
    expect(await adjust(adminToken, { reason: 'early' })).toMatchObject({
      status: 409,
      body: { error: { code: 'period_open', field: 'period' } },
    });

    const closed = await closePeriod(PERIOD);
    const input = await json<{ usage: { subscriber: string; service: string; quantity: string }[] }>(
      ledgerApi(`/periods/${PERIOD}/input`),
      'GET',
      { credential: adminToken },
    );
    expect(
      input.body.usage.find((row) => row.subscriber === ids.heavy && row.service === ids.cloud.service),
    ).toMatchObject({
      quantity: '600',
    });
    closedAllocation = (
      await json<typeof closedAllocation>(ledgerApi(`/periods/${PERIOD}/allocations`), 'GET', {
        credential: adminToken,
      })
    ).body;
    expect(closedAllocation.merkleRoot).toBe(closed.merkleRoot);
    expect((await expectedAllocation([])).merkleRoot).toBe(closed.merkleRoot);
  });
});

describe('adjusting a closed period', () => {
  it('is for admins, with a reason, about a closed period', async () => {
    expect((await adjust(undefined, { reason: 'x' })).status).toBe(401);
    expect(await adjust(userToken, { reason: 'x' })).toMatchObject({ status: 403 });
    expect(await adjust(memberToken, { reason: 'x' })).toMatchObject({ status: 403 });
    expect(await adjust(adminToken, {})).toMatchObject({ status: 400, body: { error: { field: 'reason' } } });
    expect(await adjust(adminToken, { reason: '   ' })).toMatchObject({
      status: 400,
      body: { error: { field: 'reason' } },
    });
    expect(await adjust(adminToken, { reason: 'x' }, '2022-13')).toMatchObject({
      status: 400,
      body: { error: { field: 'period' } },
    });
    expect(await adjust(adminToken, { reason: 'x' }, NEVER_CLOSED)).toMatchObject({
      status: 409,
      body: { error: { code: 'period_open' } },
    });
    expect(
      (await json(ledgerApi(`/periods/${PERIOD}/adjustments`), 'GET', { credential: userToken })).status,
    ).toBe(403);
    expect(await adjustmentTransactions()).toEqual([]);
  });

  it('posts exactly the difference in the current period, once, and never touches the closed period', async () => {
    const before = await closedRows();
    const payables = new Map(
      await Promise.all(
        closedAllocation.allocations.map(async (row) => [row.account, await payableOf(row.account)] as const),
      ),
    );
    const result = await adjust(adminToken, { reason: 'cloud reported the heavy subscriber twice' });
    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({
      period: PERIOD,
      outcome: 'adjusted',
      adjustment: {
        sequence: 1,
        postedIn: periodOf(new Date()),
        transactionKey: `adjust:${PERIOD}:1`,
        previousMerkleRoot: closedAllocation.merkleRoot,
        reason: 'cloud reported the heavy subscriber twice',
        corrections: [
          { subscriber: ids.heavy, service: ids.cloud.service, delta: '-300', notAppliedReason: null },
        ],
      },
    });
    const adjustment = result.body.adjustment!;
    const expected = await expectedAllocation([c1]);
    expect(adjustment.merkleRoot).toBe(expected.merkleRoot);
    const differences = differencesBetween(closedAllocation, expected);
    expect(Object.fromEntries(adjustment.differences.map((row) => [row.account, row.tokens]))).toEqual(
      differences,
    );
    // Cloud's side lost, wiki's operator gained.
    expect(BigInt(differences[`operator:${ids.wiki.operator}`] ?? '0')).toBeGreaterThan(0n);
    expect(BigInt(differences[`member:${ids.member}`] ?? '0')).toBeLessThan(0n);

    // One transaction in the current period, whose uCC entries add up, per account, to the difference (payees'
    // tokens then become currency: their net uCC is what they still hold).
    expect(await adjustmentTransactions()).toEqual([
      { key: `adjust:${PERIOD}:1`, period: periodOf(new Date()) },
    ]);
    for (const payable of adjustment.payables) {
      expect(payable.tokens).toBe(differences[payable.payee]);
      expect(await payableOf(payable.payee)).toBe(
        (payables.get(payable.payee) ?? 0n) + BigInt(payable.amountMinor),
      );
    }
    expect(adjustment.payables.map((row) => row.payee).sort()).toEqual(
      Object.keys(differences)
        .filter((account) => /^(provider|operator|member):/.test(account))
        .sort(),
    );
    expect(await closedRows()).toEqual(before);
    await verified();
  });

  it('posts nothing when asked again with nothing new', async () => {
    const again = await adjust(adminToken, { reason: 'again' });
    expect(again).toMatchObject({
      status: 200,
      body: {
        outcome: 'nothing_to_adjust',
        adjustment: { sequence: 1, reason: 'cloud reported the heavy subscriber twice' },
      },
    });
    expect(await adjustmentTransactions()).toHaveLength(1);
  });

  it('posts once when two admins ask at the same time, and counts a redelivered correction once', async () => {
    // Each correction delivered twice (two CloudEvents, one correction identity); one about a free-tier
    // subscriber, which moves nothing; one adding usage to a service the close had none of.
    await publish(producer, [corrected(c2), corrected(c3), corrected(free), corrected(c2), corrected(c3)]);
    await caughtUp(ledger);
    const pending = await json<{ pendingCorrections: number }>(ledgerApi(`/periods/${PERIOD}`), 'GET', {
      credential: userToken,
    });
    expect(pending.body.pendingCorrections).toBe(3);
    const [first, second] = await Promise.all([
      adjust(adminToken, { reason: 'late corrections' }),
      adjust(adminToken, { reason: 'late corrections' }),
    ]);
    expect([first?.body.outcome, second?.body.outcome].sort()).toEqual(['adjusted', 'nothing_to_adjust']);
    const made = [first, second].find((answer) => answer?.body.outcome === 'adjusted')!.body.adjustment!;
    expect(made.sequence).toBe(2);
    expect(made.corrections.map((row) => [row.subscriber, row.notAppliedReason]).sort()).toEqual(
      [
        [ids.light, null],
        [ids.light, null],
        [ids.free, 'subscriber_without_tokens'],
      ].sort(),
    );
    const latest = await expectedAllocation(
      [c1, c2, c3],
      [{ id: ids.mail.service, type: ids.type, operator: ids.mail.operator, project: null, providers: [] }],
    );
    expect(made.merkleRoot).toBe(latest.merkleRoot);
    expect(made.previousMerkleRoot).toBe((await expectedAllocation([c1])).merkleRoot);
    expect(Object.fromEntries(made.differences.map((row) => [row.account, row.tokens]))).toEqual(
      differencesBetween(await expectedAllocation([c1]), latest),
    );
    expect((await adjustmentTransactions()).map((row) => row.key)).toEqual([
      `adjust:${PERIOD}:1`,
      `adjust:${PERIOD}:2`,
    ]);
    await verified();
  });

  it('publishes each adjusted root beside the original, and each adjusted amount only to its holder', async () => {
    const view = await json<{
      merkleRoot: string;
      adjustments: { sequence: number; merkleRoot: string; roles: Record<string, string> }[];
      pendingCorrections: number;
    }>(ledgerApi(`/periods/${PERIOD}`), 'GET', { credential: userToken });
    const latest = await expectedAllocation(
      [c1, c2, c3],
      [{ id: ids.mail.service, type: ids.type, operator: ids.mail.operator, project: null, providers: [] }],
    );
    expect(view.body).toMatchObject({
      merkleRoot: closedAllocation.merkleRoot,
      pendingCorrections: 0,
      adjustments: [
        { sequence: 1, merkleRoot: (await expectedAllocation([c1])).merkleRoot },
        { sequence: 2, merkleRoot: latest.merkleRoot },
      ],
    });
    const members = latest.allocations
      .filter((row) => row.account.startsWith('member:'))
      .reduce((sum, row) => sum + row.amount, 0n);
    expect(view.body.adjustments[1]?.roles['members']).toBe(members.toString());
    expect(JSON.stringify(view.body)).not.toContain(ids.member);

    const account = `member:${ids.member}`;
    const statement = (credential: string) =>
      json<{
        amount: string;
        adjustments: {
          sequence: number;
          amount: string;
          difference: string;
          proof: { steps: { sibling: string; side: 'left' | 'right' }[] };
          merkleRoot: string;
          reason: string;
          corrections: { service: string; meter: string; delta: string; correction: { id: string } }[];
        }[];
      }>(ledgerApi(`/statements/accounts/${account}?period=${PERIOD}`), 'GET', { credential });
    const own = await statement(memberToken);
    expect(own.status).toBe(200);
    expect(own.body.adjustments.map((row) => row.sequence)).toEqual([1, 2]);
    const [firstAdjustment] = own.body.adjustments;
    expect(firstAdjustment).toMatchObject({
      reason: 'cloud reported the heavy subscriber twice',
      corrections: [
        { service: ids.cloud.service, meter: ids.meter, delta: '-300', correction: { id: c1.id } },
      ],
    });
    const adjustedRow = (await expectedAllocation([c1])).allocations.find((row) => row.account === account)!;
    expect(firstAdjustment?.amount).toBe(adjustedRow.amount.toString());
    expect(
      verifyMerkleProof(
        { account, amount: BigInt(firstAdjustment!.amount), steps: firstAdjustment!.proof.steps },
        firstAdjustment!.merkleRoot,
      ),
    ).toBe(true);
    // An outsider who signs up reads neither the member's adjusted amounts nor the adjustments in full.
    expect(await statement(userToken)).toMatchObject({
      status: 403,
      body: { error: { code: 'earnings_private' } },
    });
    expect(
      (await json(ledgerApi(`/periods/${PERIOD}/proofs/${account}`), 'GET', { credential: userToken }))
        .status,
    ).toBe(403);
    expect(
      (
        await json(ledgerApi(`/periods/${PERIOD}/proofs/operator:${ids.wiki.operator}`), 'GET', {
          credential: memberToken,
        })
      ).status,
    ).toBe(403);
    const listed = await json<{ adjustments: unknown[] }>(
      ledgerApi(`/periods/${PERIOD}/adjustments`),
      'GET',
      {
        credential: adminToken,
      },
    );
    expect(listed.body.adjustments).toHaveLength(2);
  });

  it('adjusts from the command line with the same rules', async () => {
    const envFile = ledgerEnvFile(ledger);
    const bad = await runCommons([
      'period',
      'adjust',
      '--period',
      'soon',
      '--reason',
      'x',
      '--env-file',
      envFile,
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--period');
    const noReason = await runCommons(['period', 'adjust', '--period', PERIOD, '--env-file', envFile]);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    expect(
      (
        await runCommons([
          'period',
          'adjust',
          '--period',
          NEVER_CLOSED,
          '--reason',
          'x',
          '--env-file',
          envFile,
        ])
      ).code,
    ).toBe(1);

    await publish(producer, [
      corrected({
        subscriberId: ids.heavy,
        serviceId: ids.wiki.service,
        delta: '-100',
        id: `c4-${uuidV7()}`,
      }),
    ]);
    await caughtUp(ledger);
    const made = await runCommons([
      'period',
      'adjust',
      '--period',
      PERIOD,
      '--reason',
      'wiki double count',
      '--env-file',
      envFile,
    ]);
    expect({ code: made.code, stderr: made.code === 0 ? '' : made.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(made.stdout.trim())).toMatchObject({
      period: PERIOD,
      outcome: 'adjusted',
      adjustment: { sequence: 3, reason: 'wiki double count', adjustedBy: expect.stringMatching(/^cli:/) },
    });
    const nothing = await runCommons([
      'period',
      'adjust',
      '--period',
      PERIOD,
      '--reason',
      'again',
      '--env-file',
      envFile,
    ]);
    expect(JSON.parse(nothing.stdout.trim())).toMatchObject({
      outcome: 'nothing_to_adjust',
      adjustment: { sequence: 3 },
    });
    await verified();
  });

  it('keeps adjustments final in the database itself', async () => {
    await expect(
      ledger.query(`UPDATE period_adjustments SET reason = 'x' WHERE period = $1`, [PERIOD]),
    ).rejects.toThrow('an adjustment is final');
    await expect(
      ledger.query(`DELETE FROM period_adjustment_corrections WHERE period = $1`, [PERIOD]),
    ).rejects.toThrow('an adjustment is final');
  });

  it('still finds a payee paid more than it was owed when no adjustment explains it (last: it breaks the ledger)', async () => {
    // Mail's operator was only ever credited by adjustments: none of its payable balance may be missing.
    const gainer = `operator:${ids.mail.operator}`;
    const owed = await payableOf(gainer);
    expect(owed).toBeGreaterThan(0n);
    await publish(producer, [
      createEvent(
        PayoutScheduledV1,
        {
          payoutId: uuidV7(),
          payee: gainer,
          period: periodOf(new Date()),
          amountMinor: (owed + 1n).toString(),
          currency: CUR,
          rail: 'stripe',
        },
        { source: '/onecommons/payouts' },
      ),
    ]);
    await caughtUp(ledger);
    expect(await payableOf(gainer)).toBe(-1n);
    const result = await runCommons(['ledger', 'verify', '--env-file', ledgerEnvFile(ledger)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`payable:${gainer} holds -1`);
  });
});

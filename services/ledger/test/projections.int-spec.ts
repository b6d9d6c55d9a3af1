import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  allocateSubscriberStream,
  DEFAULT_POLICY,
  memberAccount,
  operatorAccount,
} from '@onecommons/allocation';
import {
  AgreementMadeV1,
  type CloudEvent,
  ContractVersionPublishedV1,
  createEvent,
  MeterDefinedV1,
  ProjectCreatedV1,
  ProjectDependenciesSetV1,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  ServiceUpdatedV1,
  SubscriberRegisteredV2,
  UsageRecordedV1,
  UsageRecordedV2,
  type DataOf,
  uuidV7,
} from '@onecommons/contracts';
import { replayService } from '@onecommons/service-kit';
import { RawProducer, startService, testStack, type RunningService } from '@onecommons/testing';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { AllocationInputReader } from '../src/projections/allocation-input-reader.js';
import { type PayingSubscriber, UsageRepository } from '../src/projections/usage.repository.js';
import { UsageProjection } from '../src/projections/usage-projection.js';
import { caughtUp, paymentCaptured, publish, testCurrency, NO_SCHEDULED_CLOSES } from './ledger-events.js';
import { MeteringStandIn } from './metering-stand-in.js';

// Catalog's and metering's facts fold into the ledger's projections, from which a period's allocation input
// is built; replaying the topics into a fresh schema reproduces the same ledger and projections.

const catalog = { source: '/onecommons/catalog' };
const metering = { source: '/onecommons/metering' };
let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;
const CUR = testCurrency();

const ids = {
  operator: uuidV7(),
  org: uuidV7(),
  app: uuidV7(),
  project: uuidV7(),
  dependency: uuidV7(),
  service: uuidV7(),
  memberV1: uuidV7(),
  memberV2: uuidV7(),
  subscriber: uuidV7(),
  freeRider: uuidV7(),
  type: `web-${uuidV7().slice(-8)}`,
  meter: `requests_${uuidV7().slice(-8)}`,
};

const service = (status: 'active' | 'suspended', developerBps: number | null) => ({
  serviceId: ids.service,
  operatorId: ids.operator,
  appId: ids.app,
  projectId: ids.project,
  type: ids.type,
  domain: 'pads.example.org',
  providerBps: null,
  developerBps,
  status,
});

const contract = (version: number, effectiveFrom: string, member: string, dependenciesBps: number) =>
  createEvent(
    ContractVersionPublishedV1,
    {
      projectId: ids.project,
      version,
      effectiveFrom,
      dependenciesBps,
      members: [{ account: member, weight: '1' }],
    },
    catalog,
  );

const usage = (subscriberId: string, quantity: string) =>
  createEvent(
    UsageRecordedV1,
    {
      subscriberId,
      period: '2026-03',
      usage: [{ serviceId: ids.service, meter: ids.meter, quantity, events: 1 }],
      recordedAt: new Date().toISOString(),
    },
    metering,
  );

beforeAll(async () => {
  ledger = await startService(ledgerService, {
    env: { LEDGER_RESERVE_BPS: '500', LEDGER_CURRENCY: CUR, ...NO_SCHEDULED_CLOSES },
  });
  producer = await RawProducer.connect();
  const usageEvent = usage(ids.subscriber, '40');
  const events: CloudEvent[] = [
    createEvent(ServiceTypeDefinedV1, { name: ids.type, providerBps: 3000, developerBps: 2000 }, catalog),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '3' }, catalog),
    createEvent(
      ProjectCreatedV1,
      { projectId: ids.project, organizationId: ids.org, name: 'Pads', packageNames: ['pads'] },
      catalog,
    ),
    createEvent(
      ProjectDependenciesSetV1,
      { projectId: ids.project, dependencies: [{ project: uuidV7(), weight: '5' }] },
      catalog,
    ),
    createEvent(
      ProjectDependenciesSetV1,
      { projectId: ids.project, dependencies: [{ project: ids.dependency, weight: '2' }] },
      catalog,
    ),
    contract(1, '2026-01', ids.memberV1, 1000),
    contract(2, '2026-05', ids.memberV2, 2500),
    createEvent(ServiceCreatedV1, service('active', null), catalog),
    createEvent(ServiceUpdatedV1, service('active', 2500), catalog),
    createEvent(
      AgreementMadeV1,
      {
        agreementId: uuidV7(),
        projectId: ids.project,
        operatorId: ids.operator,
        developerBps: 3000,
        binding: false,
      },
      catalog,
    ),
    createEvent(
      SubscriberRegisteredV2,
      { subscriberId: ids.subscriber, emailVerified: true, registeredAt: '2026-02-27T10:00:00.000Z' },
      { source: '/onecommons/identity' },
    ),
    usageEvent,
    usageEvent, // redelivered: counted once
    usage(ids.subscriber, '2'),
    usage(ids.freeRider, '1000'), // no tokens: moves no money
    paymentCaptured({ subscriber: ids.subscriber, period: '2026-03', amountMinor: '1000', currency: CUR }),
    paymentCaptured({ subscriber: ids.subscriber, period: '2026-03', amountMinor: '250', currency: CUR }),
  ];
  await publish(producer, events);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
});

/** What a close of the period reads: its context, and its paying subscribers with their usage, in key order. */
const readInput = (period: string) =>
  ledger.app.get(DataSource).transaction(async (manager) => {
    const context = await ledger.app.get(AllocationInputReader).context(manager, period, DEFAULT_POLICY);
    const subscribers: PayingSubscriber[] = [];
    for await (const subscriber of ledger.app.get(UsageRepository).payingSubscribers(manager, period))
      subscribers.push(subscriber);
    return { ...context, subscribers };
  });

describe('projections', () => {
  it('fold usage per (period, subscriber, service, meter) and the tokens per subscriber', async () => {
    expect(
      await ledger.query(
        'SELECT subscriber_id, quantity::text FROM usage_quantities WHERE service_id = $1 ORDER BY usage_quantities.quantity',
        [ids.service],
      ),
    ).toEqual([
      { subscriber_id: ids.subscriber, quantity: '42' },
      { subscriber_id: ids.freeRider, quantity: '1000' },
    ]);
    // 5% of each payment stays in the reserve: 950 + 238 minor units mint at 1 CC per unit.
    expect(
      await ledger.query(
        "SELECT subscriber_id, tokens::text FROM subscriber_tokens WHERE period = '2026-03'",
      ),
    ).toEqual([{ subscriber_id: ids.subscriber, tokens: '1188000000' }]);
  });

  it('build the allocation input with the contract version in force for the period', async () => {
    const march = await readInput('2026-03');
    // The free rider's usage is not read: without tokens it moves no money.
    expect(march.subscribers).toEqual([
      {
        id: ids.subscriber,
        tokens: 1_188_000_000n,
        usage: [{ service: ids.service, meter: ids.meter, quantity: 42n }],
      },
    ]);
    expect(march.meters.get(ids.meter)).toBe(3n);
    expect(march.serviceTypes.get(ids.type)).toEqual({ providerBps: 3000n, developerBps: 2000n });
    expect(march.services.find((entry) => entry.id === ids.service)).toEqual({
      id: ids.service,
      type: ids.type,
      operator: ids.operator,
      project: ids.project,
      providerBps: null,
      developerBps: 2500n,
      providers: [],
    });
    const project = march.projects.find((entry) => entry.id === ids.project);
    expect(project).toEqual({
      id: ids.project,
      dependenciesBps: 1000n,
      dependencies: [{ id: ids.dependency, weight: 2n }],
      members: [{ id: ids.memberV1, weight: 1n }],
    });
    expect(march.agreements.filter((agreement) => agreement.project === ids.project)).toEqual([
      { project: ids.project, operator: ids.operator, developerBps: 3000n, binding: false },
    ]);
    const may = await readInput('2026-05');
    expect(may.projects.find((entry) => entry.id === ids.project)).toMatchObject({
      dependenciesBps: 2500n,
      members: [{ id: ids.memberV2, weight: 1n }],
    });
    expect(may.subscribers).toEqual([]);
  });

  it("apply a chunk of usage as one upsert, counting each period's events exactly (rolled back after)", async () => {
    const subscriber = uuidV7();
    const other = uuidV7();
    const line = (quantity: number) => ({
      serviceId: ids.service,
      meter: ids.meter,
      quantity: String(quantity),
      events: 1,
    });
    const recording = (subscribers: DataOf<typeof UsageRecordedV2>['subscribers']) =>
      createEvent(
        UsageRecordedV2,
        { recordingId: uuidV7(), subscribers, recordedAt: new Date().toISOString() },
        metering,
      );
    const chunk = [
      ...Array.from({ length: 29 }, (_, index) =>
        recording([
          {
            subscriberId: index % 3 === 0 ? other : subscriber,
            period: index % 2 === 0 ? '2026-07' : '2026-08',
            usage: index === 28 ? [] : [line(index + 1)],
          },
        ]),
      ),
      // One recording of both subscribers in both periods counts once in each period.
      recording([
        { subscriberId: subscriber, period: '2026-07', usage: [line(100)] },
        { subscriberId: other, period: '2026-07', usage: [line(200)] },
        { subscriberId: other, period: '2026-08', usage: [line(300)] },
      ]),
    ];
    const expected = new Map<string, bigint>();
    for (const { data } of chunk)
      for (const { period, subscriberId, usage } of data.subscribers)
        for (const row of usage) {
          const key = `${period} ${subscriberId}`;
          expected.set(key, (expected.get(key) ?? 0n) + BigInt(row.quantity));
        }
    const rollback = new Error('rolled back: the replay tests compare the live ledger with its topics');
    await expect(
      ledger.app.get(DataSource).transaction(async (manager) => {
        await ledger.app.get(UsageProjection).onUsageRecorded(chunk, {
          manager,
          topic: UsageRecordedV2.topic,
          partition: 97,
          offsets: chunk.map((_, index) => String(index)),
          heartbeat: async () => undefined,
        });
        const quantities = (await manager.query(
          `SELECT period, subscriber_id, quantity::text FROM usage_quantities WHERE subscriber_id = ANY($1::uuid[])`,
          [[subscriber, other]],
        )) as { period: string; subscriber_id: string; quantity: string }[];
        expect(
          new Map(quantities.map((row) => [`${row.period} ${row.subscriber_id}`, BigInt(row.quantity)])),
        ).toEqual(expected);
        expect(
          await manager.query(
            `SELECT period, applied::int FROM usage_applied_counts WHERE kafka_partition = 97 ORDER BY period`,
          ),
        ).toEqual([
          { period: '2026-07', applied: 16 },
          { period: '2026-08', applied: 15 },
        ]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });

  it('give libs/allocation an input it allocates in full', async () => {
    const march = await readInput('2026-03');
    const allocation = await allocateSubscriberStream(march, async function* () {
      yield* march.subscribers;
    });
    expect(allocation.total).toBe(1_188_000_000n);
    const amounts = new Map(allocation.allocations.map((row) => [row.account, row.amount]));
    expect([...amounts.values()].reduce((sum, amount) => sum + amount, 0n)).toBe(1_188_000_000n);
    // No provider points yet: the provider share stays with the operator; the developer share is max(20%, 25%, 30%).
    const developer = ((1_188_000_000n * 3000n) / 10_000n) * 1n;
    expect(amounts.get(operatorAccount(ids.operator))).toBe(1_188_000_000n - developer);
    expect(amounts.get(memberAccount(ids.memberV1))).toBe(developer - (developer * 1000n) / 10_000n);
  });
});

describe('replay', () => {
  it('rebuilds the ledger and its projections from the topics with an identical digest', async () => {
    // Metering's watermark of a period, sent twice (a far one: nothing is closed meanwhile).
    const metering = new MeteringStandIn(producer);
    await metering.sealWith('2099-12', 0n);
    await metering.sealWith('2099-12', 0n);
    await caughtUp(ledger);
    const report = await replayService(ledgerService, ledger.config, testStack().postgresAdminUrl, {
      from: { kind: 'earliest' },
      verify: true,
      keep: false,
    });
    const rows = Object.fromEntries(report.rebuilt.tables.map((table) => [table.table, table.rows]));
    expect(rows['ledger_transactions']).toBeGreaterThanOrEqual(2);
    expect(rows['ledger_entries']).toBeGreaterThanOrEqual(8);
    expect(rows['usage_quantities']).toBeGreaterThanOrEqual(2);
    // What the ledger applied of metering's announcements per period, and metering's watermarks.
    expect(rows['usage_applied_counts']).toBeGreaterThanOrEqual(1);
    expect(rows['usage_watermarks']).toBeGreaterThanOrEqual(1);
    expect(report.live?.digest).toBe(report.rebuilt.digest);
    expect(report.identical).toBe(true);
  });

  it('tells a drifted live ledger from its rebuild', async () => {
    // A balance changed behind the ledger's back (balances are not under the entries' trigger).
    await ledger.query(
      "UPDATE ledger_balances SET balance = balance + 1 WHERE account = 'treasury:reserve' AND unit = $1",
      [CUR],
    );
    const report = await replayService(ledgerService, ledger.config, testStack().postgresAdminUrl, {
      from: { kind: 'earliest' },
      verify: true,
      keep: false,
    });
    expect(report.identical).toBe(false);
  });
});

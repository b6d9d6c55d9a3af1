import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AgreementMadeV1,
  AgreementTermsScheduledV1,
  AgreementUpdatedV1,
  type CloudEvent,
  ContractVersionPublishedV1,
  createEvent,
  MeterDefinedV1,
  ProjectCreatedV1,
  ResourceUsageReportedV1,
  ServiceCreatedV1,
  ServiceTermsScheduledV1,
  ServiceTypeDefinedV1,
  ServiceUpdatedV1,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import { RawProducer, type RunningService, startService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { MeteringStandIn, sealAndClose } from './metering-stand-in.js';
import { caughtUp, paymentCaptured, publish, testCurrency, NO_SCHEDULED_CLOSES } from './ledger-events.js';

// docs/trust-rules.md: the close of period P uses the terms in force for P. A cut announced on P's last day (catalog
// schedules it from P+1) leaves P's close alone and applies to P+1's; a raise applies at once.

const P = '2025-03';
const NEXT = '2025-04';
const LAST_DAY = new Date('2025-03-31T23:59:00.000Z');
const CUR = testCurrency();
const catalog = (time: Date) => ({ source: '/onecommons/catalog', time });

let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;

const ids = {
  operator: uuidV7(),
  puppet: uuidV7(),
  project: uuidV7(),
  service: uuidV7(),
  provider: uuidV7(),
  member: uuidV7(),
  agreement: uuidV7(),
  alice: uuidV7(),
  bob: uuidV7(),
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
};

const serviceState = (providerBps: number | null) => ({
  serviceId: ids.service,
  operatorId: ids.operator,
  appId: ids.project,
  projectId: ids.project,
  type: ids.type,
  domain: `${ids.service}.example.org`,
  providerBps,
  developerBps: null,
  status: 'active' as const,
});

function usage(subscriberId: string, period: string): CloudEvent {
  return createEvent(
    UsageRecordedV1,
    {
      subscriberId,
      period,
      usage: [{ serviceId: ids.service, meter: ids.meter, quantity: '100', events: 1 }],
      recordedAt: new Date().toISOString(),
    },
    { source: '/onecommons/metering' },
  );
}

const points = (period: string) =>
  createEvent(
    ResourceUsageReportedV1,
    {
      serviceId: ids.service,
      providerId: ids.provider,
      period,
      points: '10',
      uptimeSeconds: '10',
      reportedAt: new Date().toISOString(),
    },
    { source: '/onecommons/provisioner' },
  );

async function allocated(period: string): Promise<Map<string, bigint>> {
  const [row] = await ledger.query<{ allocation: { allocations: { account: string; amount: string }[] } }>(
    'SELECT allocation FROM period_closes WHERE period = $1',
    [period],
  );
  return new Map((row?.allocation.allocations ?? []).map((entry) => [entry.account, BigInt(entry.amount)]));
}

beforeAll(async () => {
  ledger = await startService(ledgerService, { env: { LEDGER_CURRENCY: CUR, ...NO_SCHEDULED_CLOSES } });
  producer = await RawProducer.connect();
  const early = new Date('2025-03-02T10:00:00.000Z');
  await publish(producer, [
    createEvent(
      ServiceTypeDefinedV1,
      { name: ids.type, providerBps: 3000, developerBps: 2000 },
      catalog(early),
    ),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '1' }, catalog(early)),
    createEvent(
      ProjectCreatedV1,
      { projectId: ids.project, organizationId: uuidV7(), name: `P ${ids.project}`, packageNames: [] },
      catalog(early),
    ),
    createEvent(
      ContractVersionPublishedV1,
      {
        projectId: ids.project,
        version: 1,
        effectiveFrom: P,
        dependenciesBps: 0,
        members: [{ account: ids.member, weight: '1' }],
      },
      catalog(early),
    ),
    createEvent(ServiceCreatedV1, serviceState(null), catalog(early)),
    // A (sock-puppet) operator's 100% agreement for the project, made binding on P's last day: from NEXT only.
    createEvent(
      AgreementMadeV1,
      {
        agreementId: ids.agreement,
        projectId: ids.project,
        operatorId: ids.puppet,
        developerBps: 10_000,
        binding: false,
      },
      catalog(early),
    ),
    createEvent(
      AgreementUpdatedV1,
      {
        agreementId: ids.agreement,
        projectId: ids.project,
        operatorId: ids.puppet,
        developerBps: 10_000,
        binding: false,
      },
      catalog(LAST_DAY),
    ),
    createEvent(
      AgreementTermsScheduledV1,
      {
        agreementId: ids.agreement,
        projectId: ids.project,
        operatorId: ids.puppet,
        effectiveFrom: NEXT,
        developerBps: 10_000,
        binding: true,
        previousDeveloperBps: 10_000,
        previousBinding: false,
        cuts: ['operators'],
      },
      catalog(LAST_DAY),
    ),
    // The operator cuts its providers out on P's last day: catalog keeps P's terms and schedules the cut.
    createEvent(ServiceUpdatedV1, serviceState(null), catalog(LAST_DAY)),
    createEvent(
      ServiceTermsScheduledV1,
      {
        serviceId: ids.service,
        operatorId: ids.operator,
        projectId: ids.project,
        effectiveFrom: NEXT,
        providerBps: 0,
        developerBps: null,
        previousProviderBps: null,
        previousDeveloperBps: null,
        cuts: ['providers'],
      },
      catalog(LAST_DAY),
    ),
    points(P),
    points(NEXT),
    ...[P, NEXT].flatMap((period) => [usage(ids.alice, period), usage(ids.bob, period)]),
    ...[P, NEXT].flatMap((period) =>
      [ids.alice, ids.bob].map((subscriber) =>
        paymentCaptured({ subscriber, period, amountMinor: '1000', currency: CUR }),
      ),
    ),
  ]);
  await caughtUp(ledger);
}, 240_000);

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
});

describe('terms by period', () => {
  it('closes P with the terms in force during P, not a cut announced on its last day', async () => {
    await sealAndClose(ledger, new MeteringStandIn(producer), P);
    const rows = await allocated(P);
    // 2 × 1000 minor units → 2,000,000,000 uCC; 5% to the fund, 30% of the rest to the provider, then 20% of the
    // operator's part to the project's member (the type's default: the binding 100% is not in force yet).
    const services = 2_000_000_000n - 100_000_000n;
    const provider = (services * 3000n) / 10_000n;
    const developer = ((services - provider) * 2000n) / 10_000n;
    expect(rows.get(`provider:${ids.provider}`)).toBe(provider);
    expect(rows.get(`member:${ids.member}`)).toBe(developer);
    expect(rows.get(`operator:${ids.operator}`)).toBe(services - provider - developer);
  });

  it('applies the cut and the binding agreement from the next period', async () => {
    await sealAndClose(ledger, new MeteringStandIn(producer), NEXT);
    const rows = await allocated(NEXT);
    expect(rows.has(`provider:${ids.provider}`)).toBe(false);
    // The binding 100% agreement is in force from NEXT: the whole operator part goes to the project.
    expect(rows.get(`member:${ids.member}`)).toBe(1_900_000_000n);
    expect(rows.has(`operator:${ids.operator}`)).toBe(false);
  });
});

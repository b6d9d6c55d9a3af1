import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type CloudEvent,
  ContractVersionPublishedV1,
  createEvent,
  MeterDefinedV1,
  PayeePreferencesChangedV1,
  PayoutFailedV1,
  PayoutReversedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
  ProjectCreatedV1,
  ResourceUsageReportedV1,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import { RawProducer, type RunningService, startService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';
import { MeteringStandIn, sealAndClose } from './metering-stand-in.js';
import {
  caughtUp,
  ledgerEnvFile,
  paymentCaptured,
  publish,
  testCurrency,
  NO_SCHEDULED_CLOSES,
} from './ledger-events.js';

// Payable currency (docs/money-rules.md step 4, docs/payout-rules.md): a close redeems each auto-redeeming payee's tokens into
// `payable:<payee>`, releases project escrows to members or (unclaimed for 12 periods) to the fund, and
// payouts' steps move payable currency to in transit, disbursed, or back.

const CUR = testCurrency();
const P1 = '2023-01';
const P2 = '2023-02';
const P13 = '2024-01';
const catalog = { source: '/onecommons/catalog' };
const payoutsSource = { source: '/onecommons/payouts' };
const repoRoot = path.join(import.meta.dirname, '..', '..', '..');

const ids = {
  type: `web-${uuidV7().slice(-8)}`,
  meter: `seconds_${uuidV7().slice(-8)}`,
  operator: uuidV7(),
  provider: uuidV7(),
  claimed: uuidV7(), // a project whose members come later
  unclaimed: uuidV7(), // a project that never has members
  serviceClaimed: uuidV7(),
  serviceUnclaimed: uuidV7(),
  subscriber: uuidV7(),
  memberA: uuidV7(),
  memberB: uuidV7(),
};
const provider = `provider:${ids.provider}`;
const operator = `operator:${ids.operator}`;

let ledger: RunningService<LedgerConfig>;
let producer: RawProducer;

function service(serviceId: string, projectId: string) {
  return createEvent(
    ServiceCreatedV1,
    {
      serviceId,
      operatorId: ids.operator,
      appId: uuidV7(),
      projectId,
      type: ids.type,
      domain: `${serviceId}.example.org`,
      providerBps: null,
      developerBps: null,
      status: 'active',
    },
    catalog,
  );
}

function usage(period: string, serviceId: string, quantity: string) {
  return createEvent(
    UsageRecordedV1,
    {
      subscriberId: ids.subscriber,
      period,
      usage: [{ serviceId, meter: ids.meter, quantity, events: 1 }],
      recordedAt: new Date().toISOString(),
    },
    { source: '/onecommons/metering' },
  );
}

function payout<Contract extends typeof PayoutScheduledV1>(
  contract: Contract,
  payoutId: string,
  amountMinor: bigint,
  extra: Record<string, string> = {},
): CloudEvent {
  return createEvent(
    contract as typeof PayoutScheduledV1,
    {
      payoutId,
      payee: provider,
      period: P1,
      amountMinor: amountMinor.toString(),
      currency: CUR,
      rail: 'stripe',
      ...extra,
    },
    payoutsSource,
  );
}

async function balance(account: string, unit: string): Promise<bigint> {
  const [row] = await ledger.query<{ balance: string }>(
    'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
    [account, unit],
  );
  return BigInt(row?.balance ?? '0');
}

async function allocated(period: string, account: string): Promise<bigint> {
  const [row] = await ledger.query<{ amount: string | null }>(
    `SELECT (SELECT r ->> 'amount' FROM json_array_elements(allocation -> 'allocations') r WHERE r ->> 'account' = $2)
       AS amount FROM period_closes WHERE period = $1`,
    [period, account],
  );
  return BigInt(row?.amount ?? '0');
}

async function outboxEvents(type: string): Promise<Record<string, unknown>[]> {
  const rows = await ledger.query<{ payload: string }>(
    'SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id',
    [type],
  );
  return rows.map((row) => (JSON.parse(row.payload) as { data: Record<string, unknown> }).data);
}

const close = (period: string) => sealAndClose(ledger, new MeteringStandIn(producer), period);

function ledgerCommand(args: string[]): { code: number; stdout: string } {
  const result = spawnSync(
    process.execPath,
    [`--env-file=${ledgerEnvFile(ledger)}`, path.join(repoRoot, 'services/ledger/dist/src/main.js'), ...args],
    { encoding: 'utf8' },
  );
  return { code: result.status ?? 1, stdout: result.stdout };
}

beforeAll(async () => {
  // One subscriber's fixtures: the minimum of distinct paying subscribers per service (2 by default) is off.
  ledger = await startService(ledgerService, {
    env: { LEDGER_CURRENCY: CUR, LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: 'off', ...NO_SCHEDULED_CLOSES },
  });
  producer = await RawProducer.connect();
  await publish(producer, [
    createEvent(ServiceTypeDefinedV1, { name: ids.type, providerBps: 3000, developerBps: 2000 }, catalog),
    createEvent(MeterDefinedV1, { name: ids.meter, weight: '1' }, catalog),
    ...[ids.claimed, ids.unclaimed].map((projectId) =>
      createEvent(
        ProjectCreatedV1,
        { projectId, organizationId: uuidV7(), name: `P ${projectId}`, packageNames: [] },
        catalog,
      ),
    ),
    service(ids.serviceClaimed, ids.claimed),
    service(ids.serviceUnclaimed, ids.unclaimed),
    ...[ids.serviceClaimed, ids.serviceUnclaimed].map((serviceId) =>
      createEvent(
        ResourceUsageReportedV1,
        {
          serviceId,
          providerId: ids.provider,
          period: P1,
          points: '100',
          uptimeSeconds: '100',
          reportedAt: new Date().toISOString(),
        },
        { source: '/onecommons/provisioner' },
      ),
    ),
    usage(P1, ids.serviceClaimed, '300'),
    usage(P1, ids.serviceUnclaimed, '100'),
    paymentCaptured({ subscriber: ids.subscriber, period: P1, amountMinor: '10000', currency: CUR }),
    // The operator keeps its allocations as tokens.
    createEvent(
      PayeePreferencesChangedV1,
      { payee: operator, autoRedeem: false, changedAt: '2023-01-01T00:00:00.000Z' },
      payoutsSource,
    ),
  ]);
  await caughtUp(ledger);
});

afterAll(async () => {
  await producer.stop();
  await ledger.stop();
});

describe('a close makes allocations payable', () => {
  it('redeems auto-redeeming payees at the period’s price, announced before the close, and keeps opted-out tokens', async () => {
    await close(P1);
    const providerAllocation = await allocated(P1, provider);
    expect(providerAllocation).toBeGreaterThan(0n);
    // Price 1 CC = 1 minor unit: 1,000,000 uCC redeem for 1 minor unit.
    expect(await balance(provider, 'uCC')).toBe(0n);
    expect(await balance(`payable:${provider}`, CUR)).toBe(providerAllocation / 1_000_000n);
    expect(await balance(operator, 'uCC')).toBe(await allocated(P1, operator));
    expect(await balance(`payable:${operator}`, CUR)).toBe(0n);
    expect(await balance(`escrow:${ids.claimed}`, 'uCC')).toBe(await allocated(P1, `escrow:${ids.claimed}`));

    const redeemed = await outboxEvents('onecommons.ledger.tokens.redeemed.v1');
    expect(redeemed).toEqual([
      expect.objectContaining({
        holder: provider,
        period: P1,
        tokens: providerAllocation.toString(),
        allocatedTokens: providerAllocation.toString(),
        amountMinor: (providerAllocation / 1_000_000n).toString(),
        currency: CUR,
        price: { num: '1', den: '1' },
      }),
    ]);
    const order = await ledger.query<{ event_type: string }>(
      `SELECT event_type FROM outbox WHERE message_key = $1 ORDER BY id`,
      [`period:${P1}`],
    );
    // The redemptions go out before the close, on its key. (That a close is requested first is
    // close-watermark.int-spec's to check: here the stand-in may have sealed the period before any request.)
    expect(
      order
        .map((row) => row.event_type)
        .filter((type) => type !== 'onecommons.ledger.period.close-requested.v1'),
    ).toEqual(['onecommons.ledger.tokens.redeemed.v1', 'onecommons.ledger.period.closed.v1']);

    const report = ledgerCommand(['payables', '--period', P1]);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout.trim().split('\n').at(-1) as string)).toEqual({
      payables: {
        period: P1,
        currency: CUR,
        redeemed: { [provider]: (providerAllocation / 1_000_000n).toString() },
        adjusted: {},
        payable: { [provider]: (providerAllocation / 1_000_000n).toString() },
        inTransit: '0',
        disbursed: '0',
      },
    });
    expect(ledgerCommand(['payables', '--period', 'soon']).code).toBe(2);
  });

  it('moves payable currency with payouts’ steps, once each, and returns failed and reversed payouts', async () => {
    const owed = await balance(`payable:${provider}`, CUR);
    const failing = uuidV7();
    const paying = uuidV7();
    const scheduled = payout(PayoutScheduledV1, failing, owed);
    await publish(producer, [scheduled, scheduled]); // a redelivery posts nothing more
    await caughtUp(ledger);
    expect(await balance(`payable:${provider}`, CUR)).toBe(0n);
    expect(await balance('payouts:in-transit', CUR)).toBe(owed);

    await publish(producer, [
      payout(PayoutFailedV1 as unknown as typeof PayoutScheduledV1, failing, owed, {
        code: 'account_invalid',
        reason: 'no',
      }),
    ]);
    await caughtUp(ledger);
    expect(await balance(`payable:${provider}`, CUR)).toBe(owed);
    expect(await balance('payouts:in-transit', CUR)).toBe(0n);

    await publish(producer, [
      payout(PayoutScheduledV1, paying, owed),
      payout(PayoutSucceededV1 as unknown as typeof PayoutScheduledV1, paying, owed, { reference: 'tr_1' }),
    ]);
    await caughtUp(ledger);
    expect(await balance(`payable:${provider}`, CUR)).toBe(0n);
    expect(await balance('payouts:disbursed', CUR)).toBe(owed);

    await publish(producer, [
      payout(PayoutReversedV1 as unknown as typeof PayoutScheduledV1, paying, owed, {
        reference: 'tr_1',
        reason: 'returned by the bank',
      }),
    ]);
    await caughtUp(ledger);
    expect(await balance(`payable:${provider}`, CUR)).toBe(owed);
    expect(await balance('payouts:disbursed', CUR)).toBe(0n);
    // Only this test's payouts (the topic also carries other tests' payouts, in other currencies).
    const steps = await ledger.query<{ kind: string }>(
      `SELECT kind FROM ledger_transactions WHERE key LIKE $1 OR key LIKE $2 ORDER BY seq`,
      [`payout:${failing}:%`, `payout:${paying}:%`],
    );
    expect(steps.map((row) => row.kind)).toEqual([
      'payout_scheduled',
      'payout_failed',
      'payout_scheduled',
      'payout_succeeded',
      'payout_reversed',
    ]);
    expect(ledgerCommand(['verify']).code).toBe(0);
  });

  it('releases an escrow to the members a project registers, and redeems held tokens of a payee who opts back in', async () => {
    const escrowed = await balance(`escrow:${ids.claimed}`, 'uCC');
    const held = await balance(operator, 'uCC');
    await publish(producer, [
      createEvent(
        ContractVersionPublishedV1,
        {
          projectId: ids.claimed,
          version: 1,
          effectiveFrom: P2,
          dependenciesBps: 0,
          members: [
            { account: ids.memberA, weight: '3' },
            { account: ids.memberB, weight: '1' },
          ],
        },
        catalog,
      ),
      createEvent(
        PayeePreferencesChangedV1,
        { payee: operator, autoRedeem: true, changedAt: '2023-02-01T00:00:00.000Z' },
        payoutsSource,
      ),
      usage(P2, ids.serviceClaimed, '100'),
      paymentCaptured({ subscriber: ids.subscriber, period: P2, amountMinor: '2000', currency: CUR }),
    ]);
    await caughtUp(ledger);
    await close(P2);

    const released = await outboxEvents('onecommons.ledger.escrow.released.v1');
    expect(released).toEqual([
      {
        projectId: ids.claimed,
        period: P2,
        reason: 'members_registered',
        tokens: escrowed.toString(),
        // In the members' order (by account), 3:1.
        recipients: [
          { account: `member:${ids.memberA}`, tokens: ((escrowed * 3n) / 4n).toString() },
          { account: `member:${ids.memberB}`, tokens: (escrowed - (escrowed * 3n) / 4n).toString() },
        ].sort((a, b) => (a.account < b.account ? -1 : 1)),
      },
    ]);
    expect(await balance(`escrow:${ids.claimed}`, 'uCC')).toBe(0n);
    for (const member of [ids.memberA, ids.memberB]) {
      expect(await balance(`member:${member}`, 'uCC')).toBe(0n);
      expect(await balance(`payable:member:${member}`, CUR)).toBeGreaterThan(0n);
    }
    const operatorRedeemed = (await outboxEvents('onecommons.ledger.tokens.redeemed.v1')).find(
      (event) => event['holder'] === operator,
    );
    const operatorP2 = await allocated(P2, operator);
    expect(operatorRedeemed).toMatchObject({
      period: P2,
      tokens: (held + operatorP2).toString(),
      allocatedTokens: operatorP2.toString(),
    });
    expect(await balance(operator, 'uCC')).toBe(0n);
  });

  it('gives an escrow unclaimed for 12 periods to the general fund', async () => {
    const escrow = `escrow:${ids.unclaimed}`;
    const unclaimed = await balance(escrow, 'uCC');
    expect(unclaimed).toBe(await allocated(P1, escrow));
    expect(unclaimed).toBeGreaterThan(0n);
    const fundBefore = await balance('fund:general', 'uCC');
    for (let month = 3; month <= 12; month += 1) await close(`2023-${String(month).padStart(2, '0')}`);
    expect(await balance(escrow, 'uCC')).toBe(unclaimed); // 11 periods on: still the project's
    await close(P13);
    expect(await balance(escrow, 'uCC')).toBe(0n);
    expect(await balance('fund:general', 'uCC')).toBe(fundBefore + unclaimed);
    expect((await outboxEvents('onecommons.ledger.escrow.released.v1')).at(-1)).toEqual({
      projectId: ids.unclaimed,
      period: P13,
      reason: 'unclaimed_expired',
      tokens: unclaimed.toString(),
      recipients: [{ account: 'fund:general', tokens: unclaimed.toString() }],
    });
    expect(ledgerCommand(['verify']).code).toBe(0);
  });
});

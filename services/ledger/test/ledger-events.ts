import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type CloudEvent,
  createEvent,
  MeterDefinedV1,
  PaymentCapturedV1,
  PaymentDisputeFundsReinstatedV1,
  PaymentDisputeFundsWithdrawnV1,
  PaymentRefundedV1,
  ServiceCreatedV1,
  ServiceTypeDefinedV1,
  TOPICS,
  UsageRecordedV1,
  uuidV7,
} from '@onecommons/contracts';
import {
  consumerCaughtUp,
  eventually,
  type RawProducer,
  type RunningService,
  testStack,
} from '@onecommons/testing';
import pg from 'pg';
import { type LedgerConfig } from '../src/config.js';
import { type VerifyReport, verifyLedger } from '../src/verify/ledger-verifier.js';

export const LEDGER_TOPICS = [
  TOPICS.identityEvents.name,
  TOPICS.catalogEvents.name,
  TOPICS.meteringUsage.name,
  TOPICS.provisionerEvents.name,
  TOPICS.payoutsEvents.name,
];

/** A service of its own type and meter, run by an operator, with no project: catalog's events for it. */
export function operatedService(
  service: {
    readonly type: string;
    readonly meter: string;
    readonly service: string;
    readonly operator: string;
  },
  shares: { readonly providerBps: number; readonly developerBps: number } = {
    providerBps: 0,
    developerBps: 0,
  },
): CloudEvent[] {
  const catalog = { source: '/onecommons/catalog' };
  return [
    createEvent(ServiceTypeDefinedV1, { name: service.type, ...shares }, catalog),
    createEvent(MeterDefinedV1, { name: service.meter, weight: '1' }, catalog),
    createEvent(
      ServiceCreatedV1,
      {
        serviceId: service.service,
        operatorId: service.operator,
        appId: uuidV7(),
        projectId: null,
        type: service.type,
        domain: `${service.service}.example.org`,
        providerBps: null,
        developerBps: null,
        status: 'active',
      },
      catalog,
    ),
  ];
}

/** One UsageRecorded as metering publishes it: a subscriber's quantity of one meter of one service. */
export function usageRecorded(
  usage: {
    readonly subscriberId: string;
    readonly period: string;
    readonly serviceId: string;
    readonly meter: string;
  },
  quantity: string,
): CloudEvent {
  const { subscriberId, period, serviceId, meter } = usage;
  return createEvent(
    UsageRecordedV1,
    {
      subscriberId,
      period,
      usage: [{ serviceId, meter, quantity, events: 1 }],
      recordedAt: new Date().toISOString(),
    },
    { source: '/onecommons/metering' },
  );
}

/** A connection of the test's own on a ledger's schema, for a transaction that holds a lock meanwhile. */
export async function connectionInSchema(schema: string): Promise<pg.Client> {
  const client = new pg.Client({
    connectionString: testStack().postgresAdminUrl,
    options: `-c search_path=${schema}`,
  });
  await client.connect();
  return client;
}

/** A PaymentCaptured as identity publishes it. */
export function paymentCaptured(payment: {
  subscriber: string;
  period: string;
  amountMinor: string;
  currency?: string;
  paymentId?: string;
}) {
  return createEvent(
    PaymentCapturedV1,
    {
      subscriber: payment.subscriber,
      subscriptionId: uuidV7(),
      period: payment.period,
      amountMinor: payment.amountMinor,
      currency: payment.currency ?? 'EUR',
      paymentId: payment.paymentId ?? uuidV7(),
      provider: 'stripe',
      providerPaymentId: `in_${uuidV7()}`,
      providerEventId: `evt_${uuidV7()}`,
      capturedAt: new Date().toISOString(),
    },
    { source: '/onecommons/identity' },
  );
}

/** The payment a refund or dispute reverses, as identity names it. */
export interface ReversedPayment {
  readonly subscriber: string;
  readonly paymentId: string;
  readonly period: string;
  readonly currency: string;
}

const IDENTITY = { source: '/onecommons/identity' };
const reversalFields = (payment: ReversedPayment, amountMinor: string) => ({
  subscriber: payment.subscriber,
  subscriptionId: uuidV7(),
  paymentId: payment.paymentId,
  period: payment.period,
  currency: payment.currency,
  amountMinor,
  provider: 'stripe' as const,
  providerEventId: `evt_${uuidV7()}`,
});

/** A PaymentRefunded as identity publishes it (a new refund unless `refundId` names an earlier one). */
export function paymentRefunded(
  payment: ReversedPayment,
  amountMinor: string,
  refund: { refundId?: string; reason?: string | null } = {},
) {
  return createEvent(
    PaymentRefundedV1,
    {
      ...reversalFields(payment, amountMinor),
      refundId: refund.refundId ?? uuidV7(),
      providerRefundId: `re_${uuidV7()}`,
      reason: refund.reason === undefined ? 'requested_by_customer' : refund.reason,
      refundedAt: new Date().toISOString(),
    },
    IDENTITY,
  );
}

/** A dispute's funds withdrawn, then (with the same `disputeId`) reinstated, as identity publishes them. */
export function disputeFunds(
  movement: 'withdrawn' | 'reinstated',
  payment: ReversedPayment,
  amountMinor: string,
  disputeId: string,
) {
  const fields = {
    ...reversalFields(payment, amountMinor),
    disputeId,
    providerDisputeId: `dp_${disputeId.replaceAll('-', '')}`,
    reason: 'fraudulent',
  };
  const at = new Date().toISOString();
  return movement === 'withdrawn'
    ? createEvent(PaymentDisputeFundsWithdrawnV1, { ...fields, withdrawnAt: at }, IDENTITY)
    : createEvent(PaymentDisputeFundsReinstatedV1, { ...fields, reinstatedAt: at }, IDENTITY);
}

/** Publishes events onto their topics, keyed by subject, as the owning services' relays would. */
export async function publish(producer: RawProducer, events: readonly CloudEvent[]): Promise<void> {
  for (const event of events) {
    const topic = LEDGER_TOPICS.find((name) => event.type.startsWith(`onecommons.${name.split('.')[0]}.`));
    if (!topic) throw new Error(`no topic for ${event.type}`);
    await producer.send(topic, event.subject, JSON.stringify(event));
  }
}

export async function caughtUp(ledger: RunningService): Promise<void> {
  // The topics carry every ledger test file's events, which this file's ledger reads too: on a loaded machine
  // catching up has taken over 30 s.
  await eventually(
    'the ledger to catch up with its topics',
    async () => ((await consumerCaughtUp(ledger.consumerGroup, LEDGER_TOPICS)) ? true : undefined),
    { timeoutMs: 90_000 },
  );
}

/** An env file with which the ledger's own process (`main.js verify`) reads this test's schema. */
export function ledgerEnvFile(ledger: RunningService<LedgerConfig>): string {
  const file = path.join(tmpdir(), `ledger-${ledger.schema}.env`);
  const stack = testStack();
  writeFileSync(
    file,
    [
      'NODE_ENV=test',
      'LOG_LEVEL=error',
      'HTTP_PORT=1',
      `DATABASE_URL=${ledger.config.DATABASE_URL}`,
      `DATABASE_SCHEMA=${ledger.schema}`,
      `REDIS_URL=${stack.redisUrl}`,
      `KAFKA_BROKERS=${stack.kafkaBrokers}`,
      `LEDGER_CURRENCY=${ledger.config.LEDGER_CURRENCY}`,
      `AUTH_JWKS_URL=${ledger.config.AUTH_JWKS_URL}`,
      `AUTH_ACCESS_URL=${ledger.config.AUTH_ACCESS_URL}`,
      `INTERNAL_API_TOKEN=${ledger.config.INTERNAL_API_TOKEN}`,
    ].join('\n') + '\n',
  );
  return file;
}

/**
 * A treasury currency of this test run alone. A test ledger consumes its topics from the beginning, so it
 * sees every payment earlier runs published; in another currency they go to suspense and leave this run's
 * reserve, outstanding tokens and prices to its own payments.
 */
export function testCurrency(): string {
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return [...bytes].map((byte) => letters[byte % 26]).join('');
}

/**
 * The environment of a test ledger whose test closes its periods itself: the scheduler runs once at boot (nothing
 * consumed yet) and not again during the test. The topics are shared by every test of the run, so a scheduler
 * would otherwise close other tests' periods in this ledger too, once their watermarks arrive (and a later close
 * releases this test's aged escrows).
 */
export const NO_SCHEDULED_CLOSES = { LEDGER_CLOSE_SCHEDULE_SECONDS: '3600' } as const;
export interface CliVerifyReport {
  readonly ok: boolean;
  readonly firstViolation: string | null;
  readonly schema: string;
  readonly reserve: { reserve: string; outstanding: string; price: string; claims: string; residue: string };
}

/** The ledger's own `verify` command, as `commons ledger verify --json` runs it on this test's schema. */
export function commonsLedgerVerify(ledger: RunningService<LedgerConfig>): {
  status: number | null;
  report: CliVerifyReport;
  stderr: string;
} {
  const result = spawnSync(
    process.execPath,
    [
      path.resolve(import.meta.dirname, '../../../tools/cli/dist/src/main.js'),
      'ledger',
      'verify',
      '--json',
      '--env-file',
      ledgerEnvFile(ledger),
    ],
    // Only the env file speaks: variables inherited from the test runner would take precedence over it.
    { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } },
  );
  return {
    status: result.status,
    report: JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as CliVerifyReport,
    stderr: result.stderr,
  };
}

/**
 * The checks of `commons ledger verify` on this test's schema, in this process and as the ledger's runtime role,
 * as the command runs them: without the command's two processes, which a check per step would wait for.
 */
export async function verifyLedgerSchema(
  ledger: RunningService<LedgerConfig>,
  currency: string,
): Promise<VerifyReport> {
  const client = new pg.Client({ connectionString: ledger.config.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(ledger.schema)}`);
    return await verifyLedger(client, currency);
  } finally {
    await client.end();
  }
}

import {
  createEvent,
  dlqTopicOf,
  eventCatalogue,
  UsageRecordedV1,
  UsageRecordedV2,
  uuidV7,
} from '@onecommons/contracts';
import {
  BatchedEventProcessor,
  createKafka,
  DeadLetterPublisher,
  ensureTopics,
  topicSpecsOf,
  EventConsumerServer,
  EventHandlerRegistry,
  IdempotentEventProcessor,
  type IdempotentEventProcessorDeps,
  type KafkaSettings,
} from '@onecommons/kafka';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { performance } from 'node:perf_hooks';
import { Partitioners } from 'kafkajs';
import pg from 'pg';
import { DataSource } from 'typeorm';
// The bench drives the ledger's own usage projection; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { ledgerService } from '@onecommons/ledger/dist/src/ledger.definition.js';
import { UsageProjection } from '@onecommons/ledger/dist/src/projections/usage-projection.js';
import { UsageRepository } from '@onecommons/ledger/dist/src/projections/usage.repository.js';
/* eslint-enable onecommons/module-boundaries */
import { type Deadline } from './backbone-rig.js';

const USAGE_TOPIC = UsageRecordedV1.topic;
const PERIOD = '2026-12';
const SUBSCRIBERS = 1_000;
const SERVICES = 20;
const METERS = ['active_seconds', 'requests', 'storage_mb_hours'] as const;

export interface LedgerUsageDrain {
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/**
 * The ledger's usage projection (`UsageProjection`, its batch handler, on the ledger's own schema) draining
 * `events` UsageRecorded already on `metering.usage.v1`, with the consumer in `settings.consumerMode`. Timed
 * from the consumer's join to the last applied count; then checks every event was counted once for its period
 * and the quantities add up. Throws when they do not.
 */
export async function drainLedgerUsage(
  postgresAdminUrl: string,
  settings: KafkaSettings,
  events: number,
  deadline: Deadline,
): Promise<LedgerUsageDrain> {
  const suffix = uuidV7().slice(-12);
  const schema = `bench_ledger_usage_${suffix}`;
  const consumerGroup = `bench-ledger-usage-${suffix}`;
  await migrateServiceSchema({
    adminUrl: postgresAdminUrl,
    runtimeUrl: postgresAdminUrl,
    schema,
    migrations: ledgerService.migrations ?? [],
  });
  const dataSource = new DataSource(
    serviceDataSourceOptions({
      url: postgresAdminUrl,
      schema,
      poolSize: settings.partitionsConsumedConcurrently + 1,
      applicationName: `${schema}:consumer`,
    }),
  );
  await dataSource.initialize();
  const kafka = createKafka(settings, `bench-${schema}`);
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const stopController = new AbortController();
  let server: EventConsumerServer | undefined;
  try {
    await ensureTopics(kafka, topicSpecsOf([USAGE_TOPIC, dlqTopicOf(USAGE_TOPIC)], settings.topics));
    await pinGroupAtEnd(kafka, consumerGroup);
    const expectedQuantity = await publishUsage(producer, events);

    const registry = new EventHandlerRegistry(eventCatalogue);
    const projection = new UsageProjection(new UsageRepository());
    registry.registerBatch('UsageProjection', UsageRecordedV2, (batch, context) =>
      projection.onUsageRecorded(batch, context),
    );
    const deps: IdempotentEventProcessorDeps = {
      dataSource,
      catalogue: eventCatalogue,
      registry,
      consumerGroup,
      deadLetters: new DeadLetterPublisher(producer),
      settings,
      logger: { warn: (message) => console.error(`[bench] warn: ${message}`), error: () => undefined },
      stopSignal: stopController.signal,
    };
    const processor = new IdempotentEventProcessor(deps);
    const started = new EventConsumerServer({
      kafka,
      groupId: consumerGroup,
      settings,
      topics: () => registry.topics(),
      processor,
      batchProcessor: new BatchedEventProcessor(deps, processor),
      stopController,
    });
    server = started;
    await new Promise<void>((resolve, reject) => {
      void started.listen((error?: unknown) => (error ? reject(new Error(String(error))) : resolve()));
    });
    const startedAt = performance.now();
    let applied = 0n;
    while (applied < BigInt(events)) {
      deadline.check(`the ledger applied ${events} usage events`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      applied = await appliedCount(dataSource);
    }
    const seconds = (performance.now() - startedAt) / 1_000;
    await verifyUsage(dataSource, events, expectedQuantity);
    return { events, seconds, eventsPerSecond: events / seconds };
  } finally {
    await server?.close();
    await producer.disconnect();
    await dataSource.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(schema)} CASCADE`);
    await dataSource.destroy();
  }
}

async function pinGroupAtEnd(kafka: ReturnType<typeof createKafka>, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(USAGE_TOPIC);
    await admin.setOffsets({
      groupId,
      topic: USAGE_TOPIC,
      partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** Publishes the UsageRecorded events (1–3 usage rows each) and returns the sum of their quantities. */
async function publishUsage(
  producer: ReturnType<ReturnType<typeof createKafka>['producer']>,
  events: number,
): Promise<bigint> {
  const subscribers = Array.from({ length: SUBSCRIBERS }, () => uuidV7());
  const services = Array.from({ length: SERVICES }, () => uuidV7());
  let total = 0n;
  const recordedAt = new Date().toISOString();
  for (let first = 0; first < events; first += 1_000) {
    const messages = [];
    for (let index = first; index < Math.min(events, first + 1_000); index++) {
      const rows = 1 + (index % 3);
      const usage = Array.from({ length: rows }, (_, row) => ({
        serviceId: services[(index + row * 7) % SERVICES] as string,
        meter: METERS[row] as string,
        quantity: String(1 + (index % 60)),
        events: 1,
      }));
      total += usage.reduce((sum, row) => sum + BigInt(row.quantity), 0n);
      // v1, one per subscriber: the projection's cost per announcement, and the upcaster's on the way.
      const event = createEvent(
        UsageRecordedV1,
        { subscriberId: subscribers[index % SUBSCRIBERS] as string, period: PERIOD, usage, recordedAt },
        { source: '/onecommons/metering' },
      );
      messages.push({ key: event.subject, value: JSON.stringify(event) });
    }
    await producer.send({ topic: USAGE_TOPIC, acks: -1, messages });
  }
  return total;
}

async function appliedCount(dataSource: DataSource): Promise<bigint> {
  const [row] = (await dataSource.query(
    'SELECT coalesce(sum(applied), 0)::text AS applied FROM usage_applied_counts WHERE period = $1',
    [PERIOD],
  )) as { applied: string }[];
  return BigInt(row?.applied ?? '0');
}

async function verifyUsage(dataSource: DataSource, events: number, expectedQuantity: bigint): Promise<void> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT coalesce(sum(applied), 0)::text FROM usage_applied_counts WHERE period = $1) AS applied,
            (SELECT coalesce(sum(quantity), 0)::text FROM usage_quantities WHERE period = $1) AS quantity,
            (SELECT count(*)::text FROM processed_events) AS processed`,
    [PERIOD],
  )) as { applied: string; quantity: string; processed: string }[];
  const problems = [
    row?.applied === String(events) ? null : `applied count ${row?.applied}, expected ${events}`,
    row?.processed === String(events) ? null : `processed events ${row?.processed}, expected ${events}`,
    row?.quantity === expectedQuantity.toString()
      ? null
      : `usage quantity ${row?.quantity}, expected ${expectedQuantity}`,
  ].filter((problem) => problem !== null);
  if (problems.length > 0) throw new Error(`ledger usage drain failed verification: ${problems.join('; ')}`);
}

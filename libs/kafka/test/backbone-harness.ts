import {
  createEvent,
  eventCatalogue,
  SubscriberRegisteredV2,
  uuidV7,
  type CloudEvent,
} from '@onecommons/contracts';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import pg from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  BatchedEventProcessor,
  BACKBONE_MIGRATIONS,
  createKafka,
  kafkaSecurityFromEnvironment,
  topicSettingsFromEnvironment,
  DeadLetterPublisher,
  EventHandlerRegistry,
  IdempotentEventProcessor,
  OutboxRelay,
  type IdempotentEventProcessorDeps,
  OutboxWriter,
  type EventBatchContext,
  type EventContext,
  type KafkaSettings,
} from '../src/index.js';

export interface ProcessorOptions {
  failForEventId?: string;
  stopSignal?: AbortSignal;
  /** Called inside the handler, in the handler's trace context; the handler waits for what it returns. */
  observe?: (event: CloudEvent) => void | Promise<void>;
  /** Apply through an `@OnEventBatch`-style handler (one multi-row insert per call), reporting each call. */
  observeBatch?: (events: readonly CloudEvent[], context: EventBatchContext) => void;
}

/** What the handler under test does: one row per application, so applying twice shows as two rows. */
class EffectsTable1763900009000 implements MigrationInterface {
  name = 'EffectsTable1763900009000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE effects (event_id uuid NOT NULL, subscriber_id uuid NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE effects');
  }
}

export const quietLogger = {
  log: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

export function testSettings(overrides: Partial<KafkaSettings> = {}): KafkaSettings {
  return {
    brokers: testStack().kafkaBrokers.split(','),
    connectionTimeoutMs: 3_000,
    requestTimeoutMs: 30_000,
    sessionTimeoutMs: 10_000,
    heartbeatIntervalMs: 1_000,
    partitionsConsumedConcurrently: 3,
    fetchMaxWaitMs: 500,
    topics: topicSettingsFromEnvironment({ KAFKA_TOPIC_PARTITIONS: '3' }),
    security: kafkaSecurityFromEnvironment(),
    outboxBatchSize: 50,
    outboxPollIntervalMs: 100,
    outboxRetentionHours: 1,
    consumerMaxAttempts: 3,
    consumerRetryBackoffMs: 10,
    consumerRetryBackoffMaxMs: 50,
    consumerMode: 'batched',
    consumerChunkSize: 500,
    consumerLagIntervalMs: 200,
    processedEventsPruneMarginHours: 1,
    processedEventsPruneBatchSize: 2,
    processedEventsPruneMaxRowsPerRun: 1_000,
    ...overrides,
  };
}

export function idempotentProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/** A schema with the backbone tables and an effects table, and the pieces of one service's backbone. */
export class BackboneFixture {
  readonly kafka: Kafka;
  readonly writer = new OutboxWriter();
  private readonly producers: Producer[] = [];

  private constructor(
    readonly schema: string,
    readonly dataSource: DataSource,
    readonly consumerGroup: string,
  ) {
    this.kafka = createKafka(testSettings(), `test-${schema}`);
  }

  static async create(): Promise<BackboneFixture> {
    const stack = testStack();
    const schema = `t_backbone_${uniqueSuffix()}`;
    await migrateServiceSchema({
      adminUrl: stack.postgresAdminUrl,
      runtimeUrl: stack.postgresAdminUrl,
      schema,
      migrations: [...BACKBONE_MIGRATIONS, EffectsTable1763900009000],
    });
    const dataSource = new DataSource(
      serviceDataSourceOptions({ url: stack.postgresAdminUrl, schema, poolSize: 6, applicationName: schema }),
    );
    await dataSource.initialize();
    return new BackboneFixture(schema, dataSource, `t-backbone-${uniqueSuffix()}`);
  }

  /** A new event for a new (or given) subscriber: the unit these tests move around. */
  static event(subscriberId: string = uuidV7()): CloudEvent {
    return createEvent(
      SubscriberRegisteredV2,
      { subscriberId, emailVerified: false, registeredAt: new Date().toISOString() },
      { source: '/onecommons/test' },
    );
  }

  /** Commits the events to the outbox, one transaction each. */
  async commit(events: readonly CloudEvent[]): Promise<void> {
    for (const event of events) {
      await this.dataSource.transaction((manager) => this.writer.append(manager, [event]));
    }
  }

  async connectedProducer(): Promise<Producer> {
    const producer = idempotentProducer(this.kafka);
    await producer.connect();
    this.producers.push(producer);
    return producer;
  }

  relay(
    producer: Producer,
    afterSend?: (eventIds: readonly string[]) => Promise<void>,
    pollIntervalMs = 100,
  ): OutboxRelay {
    return new OutboxRelay({
      sessionDatabaseUrl: testStack().postgresAdminUrl,
      schema: this.schema,
      producer,
      batchSize: 50,
      pollIntervalMs,
      logger: quietLogger,
      ...(afterSend ? { afterSend } : {}),
    });
  }

  /** A pg session on the schema, for driving `OutboxRelay.drain` step by step. */
  async session(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: testStack().postgresAdminUrl,
      options: `-c search_path=${this.schema}`,
    });
    await client.connect();
    return client;
  }

  /**
   * The processor of a service whose handler records every application in `effects`; `failForEventId` makes
   * the handler throw for one event (a handler bug, not a bad message).
   */
  async processor(options: ProcessorOptions = {}): Promise<IdempotentEventProcessor> {
    return new IdempotentEventProcessor(await this.processorDeps(options));
  }

  /** The batched processor of the same service, with its per-message fallback. */
  async batchedProcessor(
    options: ProcessorOptions = {},
  ): Promise<{ batched: BatchedEventProcessor; perMessage: IdempotentEventProcessor }> {
    const deps = await this.processorDeps(options);
    const perMessage = new IdempotentEventProcessor(deps);
    return { batched: new BatchedEventProcessor(deps, perMessage), perMessage };
  }

  private async processorDeps(options: ProcessorOptions): Promise<IdempotentEventProcessorDeps> {
    const registry = new EventHandlerRegistry(eventCatalogue);
    const { observeBatch } = options;
    if (observeBatch) {
      registry.registerBatch('EffectsBatchHandler', SubscriberRegisteredV2, async (events, context) => {
        observeBatch(events, context);
        if (events.some((event) => event.id === options.failForEventId)) {
          throw new Error('handler bug for this subscriber');
        }
        await context.manager.query(
          `INSERT INTO effects (event_id, subscriber_id)
           SELECT event_id, subscriber_id FROM unnest($1::uuid[], $2::uuid[]) AS e(event_id, subscriber_id)`,
          [events.map((event) => event.id), events.map((event) => event.data.subscriberId)],
        );
      });
    } else {
      registry.register('EffectsHandler', SubscriberRegisteredV2, async (event, context: EventContext) => {
        await options.observe?.(event);
        if (event.id === options.failForEventId) throw new Error('handler bug for this subscriber');
        await context.manager.query('INSERT INTO effects (event_id, subscriber_id) VALUES ($1, $2)', [
          event.id,
          event.data.subscriberId,
        ]);
      });
    }
    return {
      dataSource: this.dataSource,
      catalogue: eventCatalogue,
      registry,
      consumerGroup: this.consumerGroup,
      deadLetters: new DeadLetterPublisher(await this.connectedProducer()),
      settings: testSettings(),
      logger: quietLogger,
      stopSignal: options.stopSignal ?? new AbortController().signal,
    };
  }

  async effectsOf(eventIds: readonly string[]): Promise<Map<string, number>> {
    const rows: { event_id: string; n: number }[] = await this.dataSource.query(
      'SELECT event_id, count(*)::int AS n FROM effects WHERE event_id = ANY($1::uuid[]) GROUP BY event_id',
      [eventIds],
    );
    return new Map(rows.map((row) => [row.event_id, row.n]));
  }

  async unsentCount(): Promise<number> {
    const [row] = (await this.dataSource.query(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    )) as { n: number }[];
    return row?.n ?? 0;
  }

  async dispose(): Promise<void> {
    await Promise.all(this.producers.map((producer) => producer.disconnect()));
    await this.dataSource.query(`DROP SCHEMA ${pg.escapeIdentifier(this.schema)} CASCADE`);
    await this.dataSource.destroy();
  }
}

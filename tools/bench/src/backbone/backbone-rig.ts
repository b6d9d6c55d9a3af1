import { dlqTopicOf, eventCatalogue, SubscriberRegisteredV2, type CloudEvent } from '@onecommons/contracts';
import {
  BackboneTables1763900000000,
  createKafka,
  DeadLetterPublisher,
  EventConsumerServer,
  EventHandlerRegistry,
  ensureTopics,
  IdempotentEventProcessor,
  OutboxRelay,
  OutboxWriter,
  type IdempotentEventProcessorDeps,
  type IncomingMessage,
  type KafkaSettings,
  type ProcessOutcome,
} from '@onecommons/kafka';
import { migrateServiceSchema, serviceDataSourceOptions } from '@onecommons/persistence';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import pg from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';

export const BENCH_TOPIC = SubscriberRegisteredV2.topic;

/** The handler's effect: one row per application and no unique key, so a double application would show. */
class BenchEffects1763900100000 implements MigrationInterface {
  name = 'BenchEffects1763900100000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE bench_effects (
        event_id uuid NOT NULL,
        subscriber_id uuid NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE bench_effects');
  }
}

/** Counts what the real processor did with each message, so the bench knows when everything is applied. */
class CountingProcessor extends IdempotentEventProcessor {
  readonly outcomes: Record<ProcessOutcome, number> = {
    applied: 0,
    duplicate: 0,
    ignored: 0,
    dead_lettered: 0,
  };

  constructor(deps: IdempotentEventProcessorDeps) {
    super(deps);
  }

  override async process(incoming: IncomingMessage): Promise<ProcessOutcome> {
    const outcome = await super.process(incoming);
    this.outcomes[outcome]++;
    return outcome;
  }
}

const stderrLogger = {
  log: () => undefined,
  warn: (message: string) => console.error(`[bench] warn: ${message}`),
  error: (message: string, error?: unknown) => console.error(`[bench] error: ${message}`, error ?? ''),
};

export interface RigOptions {
  readonly postgresAdminUrl: string;
  readonly schema: string;
  readonly consumerGroup: string;
  readonly settings: KafkaSettings;
  /** Concurrent writer transactions: the producing side's pool size. */
  readonly writers: number;
}

/**
 * One service's backbone, wired like `BackboneModule` does it, on a fresh schema: an outbox writer, the
 * relay with an idempotent producer, and the Kafka consumer transport feeding the idempotent processor
 * with one handler. Producing and consuming sides have their own pools, as two services would.
 */
export class BackboneRig {
  readonly writer = new OutboxWriter();
  private relay: OutboxRelay | undefined;
  private server: EventConsumerServer | undefined;
  private processor: CountingProcessor | undefined;

  private constructor(
    private readonly options: RigOptions,
    readonly producing: DataSource,
    readonly consuming: DataSource,
    private readonly kafka: Kafka,
    private readonly producer: Producer,
  ) {}

  static async create(options: RigOptions): Promise<BackboneRig> {
    const { postgresAdminUrl: url, schema, settings } = options;
    await migrateServiceSchema({
      adminUrl: url,
      runtimeUrl: url,
      schema,
      migrations: [BackboneTables1763900000000, BenchEffects1763900100000],
    });
    const producing = new DataSource(
      serviceDataSourceOptions({
        url,
        schema,
        poolSize: options.writers,
        applicationName: `${schema}:writers`,
      }),
    );
    const consuming = new DataSource(
      serviceDataSourceOptions({
        url,
        schema,
        poolSize: settings.partitionsConsumedConcurrently + 1,
        applicationName: `${schema}:consumer`,
      }),
    );
    await Promise.all([producing.initialize(), consuming.initialize()]);
    const kafka = createKafka(settings, `bench-${schema}`, {
      error: (message, fields) =>
        console.error(`[bench] kafka: ${message}: ${String(fields['error'] ?? '')}`),
      warn: (message, fields) => console.error(`[bench] kafka: ${message}: ${String(fields['error'] ?? '')}`),
      info: () => undefined,
      debug: () => undefined,
    });
    await ensureTopics(kafka, [BENCH_TOPIC, dlqTopicOf(BENCH_TOPIC)], settings.topicPartitions);
    // As BackboneModule's KAFKA_PRODUCER: idempotent, one request in flight, retried until Kafka is back.
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 5_000 },
    });
    await producer.connect();
    return new BackboneRig(options, producing, consuming, kafka, producer);
  }

  get outcomes(): Readonly<Record<ProcessOutcome, number>> {
    if (!this.processor) throw new Error('the consumer is not running');
    return this.processor.outcomes;
  }

  /** Starts the relay and returns once it holds the schema's leader lock and listens for commits. */
  async startRelay(deadline: Deadline): Promise<void> {
    const { settings } = this.options;
    this.relay = new OutboxRelay({
      databaseUrl: this.options.postgresAdminUrl,
      schema: this.options.schema,
      producer: this.producer,
      batchSize: settings.outboxBatchSize,
      pollIntervalMs: settings.outboxPollIntervalMs,
      logger: stderrLogger,
    });
    this.relay.start();
    const relay = this.relay;
    await deadline.until('the outbox relay leads', () => relay.isLeader);
  }

  /**
   * Starts the consumer group at the topic's current end (earlier runs' messages are not this run's), and
   * returns once it joined and was assigned its partitions. Returns how many partitions the topic has.
   */
  async startConsumer(): Promise<number> {
    const { settings, consumerGroup } = this.options;
    const admin = this.kafka.admin();
    await admin.connect();
    let partitions: number;
    try {
      const ends = await admin.fetchTopicOffsets(BENCH_TOPIC);
      partitions = ends.length;
      await admin.setOffsets({
        groupId: consumerGroup,
        topic: BENCH_TOPIC,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    } finally {
      await admin.disconnect();
    }
    const registry = new EventHandlerRegistry(eventCatalogue);
    registry.register('BenchEffects', SubscriberRegisteredV2, async (event, context) => {
      await context.manager.query('INSERT INTO bench_effects (event_id, subscriber_id) VALUES ($1, $2)', [
        event.id,
        event.data.subscriberId,
      ]);
    });
    const stopController = new AbortController();
    this.processor = new CountingProcessor({
      dataSource: this.consuming,
      catalogue: eventCatalogue,
      registry,
      consumerGroup,
      deadLetters: new DeadLetterPublisher(this.producer),
      settings,
      logger: stderrLogger,
      stopSignal: stopController.signal,
    });
    const server = new EventConsumerServer({
      kafka: this.kafka,
      groupId: consumerGroup,
      settings,
      topics: () => registry.topics(),
      processor: this.processor,
      stopController,
    });
    this.server = server;
    // kafkajs' run() returns after the group join and sync, so partitions are assigned by then.
    await new Promise<void>((resolve, reject) =>
      server.listen((error?: unknown) => (error ? reject(toError(error)) : resolve())),
    );
    return partitions;
  }

  /** Commits one transaction of events to the outbox, as a service's command handler would. */
  async commit(events: readonly CloudEvent[]): Promise<void> {
    await this.producing.transaction((manager) => this.writer.append(manager, events));
  }

  /** Stops everything and drops the schema; safe after a partial start. */
  async dispose(): Promise<void> {
    const steps: (() => Promise<unknown>)[] = [
      async () => this.server?.close(),
      async () => this.relay?.stop(),
      () => this.producer.disconnect(),
      () => this.producing.query(`DROP SCHEMA IF EXISTS ${pg.escapeIdentifier(this.options.schema)} CASCADE`),
      () => this.producing.destroy(),
      () => this.consuming.destroy(),
    ];
    for (const step of steps) {
      try {
        await step();
      } catch (error) {
        console.error(`[bench] cleanup of ${this.options.schema}:`, error);
      }
    }
  }
}

/** A wall-clock limit for one scenario, so a stuck pipeline fails the bench instead of hanging it. */
export class Deadline {
  private readonly endsAt: number;

  constructor(milliseconds: number) {
    this.endsAt = Date.now() + milliseconds;
  }

  async until(what: string, condition: () => boolean, intervalMs = 10): Promise<void> {
    while (!condition()) {
      if (Date.now() > this.endsAt) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

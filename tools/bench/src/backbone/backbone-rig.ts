import { dlqTopicOf, eventCatalogue, SubscriberRegisteredV2, type CloudEvent } from '@onecommons/contracts';
import {
  BatchedEventProcessor,
  BACKBONE_MIGRATIONS,
  createKafka,
  DeadLetterPublisher,
  EventConsumerServer,
  EventHandlerRegistry,
  ensureTopics,
  topicSpecsOf,
  IdempotentEventProcessor,
  OutboxRelay,
  OutboxWriter,
  type IdempotentEventProcessorDeps,
  type IncomingChunk,
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

type OutcomeCounts = Record<ProcessOutcome, number>;

const noOutcomes = (): OutcomeCounts => ({ applied: 0, duplicate: 0, ignored: 0, dead_lettered: 0 });

/** Counts what the real processor did with each message, so the bench knows when everything is applied. */
class CountingProcessor extends IdempotentEventProcessor {
  constructor(
    deps: IdempotentEventProcessorDeps,
    readonly outcomes: OutcomeCounts,
  ) {
    super(deps);
  }

  override async process(incoming: IncomingMessage): Promise<ProcessOutcome> {
    const outcome = await super.process(incoming);
    this.outcomes[outcome]++;
    return outcome;
  }
}

/** The same count for the batched processor (its per-message fallback counts nothing itself). */
class CountingBatchedProcessor extends BatchedEventProcessor {
  constructor(
    deps: IdempotentEventProcessorDeps,
    readonly outcomes: OutcomeCounts,
  ) {
    super(deps, new IdempotentEventProcessor(deps));
  }

  override async processChunk(chunk: IncomingChunk): Promise<ProcessOutcome[]> {
    const outcomes = await super.processChunk(chunk);
    for (const outcome of outcomes) this.outcomes[outcome]++;
    return outcomes;
  }
}

/** How the bench's handler applies events: one INSERT per event (`@OnEvent`) or per run (`@OnEventBatch`). */
export type BenchHandler = 'per-event' | 'batch';

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
  readonly handler: BenchHandler;
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
  private outcomeCounts: OutcomeCounts | undefined;

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
      migrations: [...BACKBONE_MIGRATIONS, BenchEffects1763900100000],
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
    await ensureTopics(kafka, topicSpecsOf([BENCH_TOPIC, dlqTopicOf(BENCH_TOPIC)], settings.topics));
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
    if (!this.outcomeCounts) throw new Error('the consumer is not running');
    return this.outcomeCounts;
  }

  /** Starts the relay and returns once it holds the schema's leader lock and listens for commits. */
  async startRelay(deadline: Deadline): Promise<void> {
    const { settings } = this.options;
    this.relay = new OutboxRelay({
      sessionDatabaseUrl: this.options.postgresAdminUrl,
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
   * Pins where the consumer group will start: the topic's current end, so earlier runs' messages are not this
   * run's. Call before writing; returns how many partitions the topic has.
   */
  async pinConsumerStart(): Promise<number> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(BENCH_TOPIC);
      await admin.setOffsets({
        groupId: this.options.consumerGroup,
        topic: BENCH_TOPIC,
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
      return ends.length;
    } finally {
      await admin.disconnect();
    }
  }

  /** Starts the consumer group where it was pinned, and returns once it joined and was assigned its partitions. */
  async startConsumer(): Promise<void> {
    const { settings, consumerGroup } = this.options;
    const registry = benchRegistry(this.options.handler);
    const stopController = new AbortController();
    const deps: IdempotentEventProcessorDeps = {
      dataSource: this.consuming,
      catalogue: eventCatalogue,
      registry,
      consumerGroup,
      deadLetters: new DeadLetterPublisher(this.producer),
      settings,
      logger: stderrLogger,
      stopSignal: stopController.signal,
    };
    const outcomes = noOutcomes();
    this.outcomeCounts = outcomes;
    const server = new EventConsumerServer({
      kafka: this.kafka,
      groupId: consumerGroup,
      settings,
      topics: () => registry.topics(),
      processor: new CountingProcessor(deps, outcomes),
      batchProcessor: new CountingBatchedProcessor(deps, outcomes),
      stopController,
    });
    this.server = server;
    // kafkajs' run() returns after the group join and sync, so partitions are assigned by then.
    await new Promise<void>((resolve, reject) => {
      void server.listen((error?: unknown) => (error ? reject(toError(error)) : resolve()));
    });
  }

  /** Commits one transaction of events to the outbox, as a service's command handler would. */
  async commit(events: readonly CloudEvent[]): Promise<void> {
    await this.producing.transaction((manager) => this.writer.append(manager, events));
  }

  /** Outbox rows the relay has not yet published to Kafka. */
  async unpublished(): Promise<number> {
    const [row] = (await this.producing.query(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    )) as { n: number }[];
    return row?.n ?? 0;
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

function benchRegistry(handler: BenchHandler): EventHandlerRegistry {
  const registry = new EventHandlerRegistry(eventCatalogue);
  if (handler === 'batch') {
    registry.registerBatch('BenchEffects', SubscriberRegisteredV2, async (events, context) => {
      await context.manager.query(
        `INSERT INTO bench_effects (event_id, subscriber_id)
         SELECT event_id, subscriber_id FROM unnest($1::uuid[], $2::uuid[]) AS e(event_id, subscriber_id)`,
        [events.map((event) => event.id), events.map((event) => event.data.subscriberId)],
      );
    });
  } else {
    registry.register('BenchEffects', SubscriberRegisteredV2, async (event, context) => {
      await context.manager.query('INSERT INTO bench_effects (event_id, subscriber_id) VALUES ($1, $2)', [
        event.id,
        event.data.subscriberId,
      ]);
    });
  }
  return registry;
}

/** A wall-clock limit for one scenario, so a stuck pipeline fails the bench instead of hanging it. */
export class Deadline {
  private readonly endsAt: number;

  constructor(milliseconds: number) {
    this.endsAt = Date.now() + milliseconds;
  }

  async until(what: string, condition: () => boolean, intervalMs = 10): Promise<void> {
    while (!condition()) {
      this.check(what);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }

  /** Throws once the time is up. */
  check(what: string): void {
    if (Date.now() > this.endsAt) throw new Error(`timed out waiting until ${what}`);
  }
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { dlqTopicOf, eventCatalogue, topicsOwnedBy } from '@onecommons/contracts';
import { type Kafka, type Producer } from 'kafkajs';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { startConsumerSeriesAtZero } from '../consumer/consumer-series.js';
import { EventHandlerRegistry } from '../consumer/event-handler-registry.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import { idempotentProducer } from '../outbox/producer-state.js';
import { describeDifferingSettings, describeUnderPartitioned, ensureTopics } from '../topics/topic-admin.js';
import { topicSpecsOf } from '../topics/topic-catalogue.js';
import { BACKBONE_OPTIONS, type BackboneOptions } from './backbone-options.js';
import { BACKBONE_METRICS, KAFKA_CLIENT, KAFKA_PRODUCER } from './tokens.js';

/**
 * Starts and stops the backbone with the app: topics ensured and the producer connected before anything
 * publishes or consumes; the relay stopped before the database pool closes.
 */
@Injectable()
export class BackboneRuntime
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger('Backbone');
  private relay: OutboxRelay | undefined;
  /** The relay's own producer: replaced when the broker loses its state, without touching the shared one. */
  private relayProducer: Producer | undefined;

  constructor(
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_PRODUCER) private readonly producer: Producer,
    @Inject(BACKBONE_METRICS) private readonly metrics: BackboneMetrics,
    private readonly registry: EventHandlerRegistry,
  ) {}

  get relayIsLeader(): boolean {
    return this.relay?.isLeader ?? false;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.runRelay) return;
    startConsumerSeriesAtZero(
      this.metrics,
      this.registry,
      eventCatalogue,
      this.options.settings.consumerMode,
    );
    const topics = [...topicsOwnedBy(this.options.service), ...this.registry.topics()];
    const { created, underPartitioned, differing } = await ensureTopics(
      this.kafka,
      topicSpecsOf(
        topics.flatMap((topic) => [topic, dlqTopicOf(topic)]),
        this.options.settings.topics,
      ),
    );
    if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    if (underPartitioned.length > 0) this.logger.warn(describeUnderPartitioned(underPartitioned));
    if (differing.length > 0) this.logger.warn(describeDifferingSettings(differing));
    await this.producer.connect();
    this.relayProducer = idempotentProducer(this.kafka);
    await this.relayProducer.connect();
    this.relay = new OutboxRelay({
      sessionDatabaseUrl: this.options.sessionDatabaseUrl,
      schema: this.options.schema,
      producer: this.relayProducer,
      renewProducer: async (broken) => {
        await broken.disconnect().catch(() => undefined);
        const renewed = idempotentProducer(this.kafka);
        this.relayProducer = renewed;
        await renewed.connect();
        return renewed;
      },
      batchSize: this.options.settings.outboxBatchSize,
      pollIntervalMs: this.options.settings.outboxPollIntervalMs,
      ...(this.options.lockDeadPeerSeconds === undefined
        ? {}
        : { deadPeerSeconds: this.options.lockDeadPeerSeconds }),
      logger: this.logger,
      metrics: this.metrics,
    });
    this.relay.start();
    this.logger.log(
      `consuming ${this.registry.topics().join(', ') || 'nothing'} with ${this.registry.size} handlers`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relayProducer?.disconnect();
    await this.producer.disconnect();
  }
}

import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { type Consumer, type Kafka } from 'kafkajs';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { type KafkaSettings } from '../kafka-config.js';
import { type IdempotentEventProcessor } from './idempotent-event-processor.js';

export interface EventConsumerServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly settings: KafkaSettings;
  readonly topics: () => readonly string[];
  readonly processor: IdempotentEventProcessor;
  readonly stopController: AbortController;
  readonly metrics?: BackboneMetrics;
}

/**
 * The Kafka side of a service's hybrid NestJS app: a custom `@nestjs/microservices` transport that feeds
 * every message of the subscribed topics to the idempotent processor. Unlike ServerKafka it commits an
 * offset only after the message's effects committed in Postgres or the message reached the DLQ, and its
 * consumer group is exactly the configured one (no `-server` suffix).
 */
export class EventConsumerServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;

  constructor(private readonly options: EventConsumerServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    const topics = this.options.topics();
    if (topics.length === 0) {
      callback();
      return;
    }
    try {
      const { settings } = this.options;
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        sessionTimeout: settings.sessionTimeoutMs,
        heartbeatInterval: settings.heartbeatIntervalMs,
        allowAutoTopicCreation: false,
        retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 10_000 },
      });
      this.consumer = consumer;
      this.recordLag(consumer);
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        autoCommit: true,
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          await this.options.processor.process({ topic, partition, message, heartbeat });
        },
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    this.options.stopController.abort();
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
  }

  on<EventKey extends string | number | symbol = string | number | symbol, EventCallback = unknown>(
    event: EventKey,
    callback: EventCallback,
  ): void {
    this.consumer?.on(event as never, callback as never);
  }

  unwrap<T>(): T {
    if (!this.consumer) throw new Error('the event consumer is not listening');
    return this.consumer as T;
  }

  private recordLag(consumer: Consumer): void {
    const gauge = this.options.metrics?.consumerLag;
    if (!gauge) return;
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      gauge.set({ topic: payload.topic, partition: String(payload.partition) }, Number(payload.offsetLag));
    });
  }
}

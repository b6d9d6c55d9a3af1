import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { type Consumer, type ConsumerRunConfig, type EachBatchPayload, type Kafka } from 'kafkajs';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { type KafkaSettings } from '../kafka-config.js';
import { type BatchedEventProcessor } from './batched-event-processor.js';
import { chunksOf } from './chunk-plan.js';
import { type ConsumerLagMonitor } from './consumer-lag-monitor.js';
import { type IdempotentEventProcessor } from './idempotent-event-processor.js';

export interface EventConsumerServerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly settings: KafkaSettings;
  readonly topics: () => readonly string[];
  readonly processor: IdempotentEventProcessor;
  /** Required when `settings.consumerMode` is `batched`; wraps `processor`, its per-message fallback. */
  readonly batchProcessor?: BatchedEventProcessor;
  readonly stopController: AbortController;
  readonly metrics?: BackboneMetrics;
  /** Measures the group's lag from the broker while the server listens (its own timer and connection). */
  readonly lagMonitor?: ConsumerLagMonitor;
}

/**
 * The Kafka side of a service's hybrid NestJS app: a custom `@nestjs/microservices` transport that feeds
 * every message of the subscribed topics to the idempotent processor. Unlike ServerKafka it commits an
 * offset only after the message's effects committed in Postgres or the message reached the DLQ, and its
 * consumer group is exactly the configured one (no `-server` suffix). `CONSUMER_MODE` chooses how: `batched`
 * applies each partition batch in chunks of `CONSUMER_CHUNK_SIZE`, a transaction each, committing offsets and
 * heartbeating between chunks; `per-message` applies one message per transaction.
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
      const handler = this.handlerOf(settings.consumerMode);
      const consumer = this.options.kafka.consumer({
        groupId: this.options.groupId,
        sessionTimeout: settings.sessionTimeoutMs,
        heartbeatInterval: settings.heartbeatIntervalMs,
        maxWaitTimeInMs: settings.fetchMaxWaitMs,
        allowAutoTopicCreation: false,
        retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 10_000 },
      });
      this.consumer = consumer;
      this.options.lagMonitor?.start();
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: settings.partitionsConsumedConcurrently,
        autoCommit: true,
        ...handler,
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  private handlerOf(mode: KafkaSettings['consumerMode']): ConsumerRunConfig {
    const { processor, batchProcessor } = this.options;
    if (mode === 'per-message') {
      return {
        eachMessage: async ({ topic, partition, message, heartbeat }) => {
          await processor.process({ topic, partition, message, heartbeat });
        },
      };
    }
    if (!batchProcessor) throw new Error('CONSUMER_MODE=batched needs a batch processor');
    return {
      eachBatchAutoResolve: false,
      // With a threshold of one, commitOffsetsIfNecessary commits whatever a chunk resolved.
      autoCommitThreshold: 1,
      eachBatch: (payload) => this.consumeInChunks(payload, batchProcessor),
    };
  }

  /** One partition's batch, chunk by chunk; stops between chunks once the consumer stops or lost the partition. */
  private async consumeInChunks(payload: EachBatchPayload, batchProcessor: BatchedEventProcessor) {
    const { batch, heartbeat } = payload;
    for (const messages of chunksOf(batch.messages, this.options.settings.consumerChunkSize)) {
      if (!payload.isRunning() || payload.isStale()) return;
      await batchProcessor.processChunk({
        topic: batch.topic,
        partition: batch.partition,
        messages,
        heartbeat,
        settle: async (offset) => {
          payload.resolveOffset(offset);
          await payload.commitOffsetsIfNecessary();
          await heartbeat();
        },
      });
    }
  }

  async close(): Promise<void> {
    this.options.stopController.abort();
    const consumer = this.consumer;
    this.consumer = undefined;
    await this.options.lagMonitor?.stop();
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
}

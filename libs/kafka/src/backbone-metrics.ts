import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';

/** Prometheus metrics of the event backbone, registered once per process registry. */
export interface BackboneMetrics {
  readonly outboxPublished: Counter;
  readonly outboxBacklog: Gauge;
  readonly outboxOldestPendingSeconds: Gauge;
  readonly eventsConsumed: Counter<'topic' | 'type' | 'outcome'>;
  readonly handlerDuration: Histogram<'topic' | 'type'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly consumerChunkSize: Histogram<'topic'>;
  readonly consumerChunkDuration: Histogram<'topic' | 'outcome'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  readonly consumerLagMeasuredAt: Gauge<'group'>;
  readonly processedEventsPruned: Counter;
}

function once<Metric>(registry: Registry, name: string, create: () => Metric): Metric {
  return (registry.getSingleMetric(name) as Metric | undefined) ?? create();
}

export function backboneMetrics(registry: Registry = register): BackboneMetrics {
  const registers = [registry];
  return {
    outboxPublished: once(
      registry,
      'onecommons_outbox_published_total',
      () =>
        new Counter({
          name: 'onecommons_outbox_published_total',
          help: 'Outbox rows published to Kafka',
          registers,
        }),
    ),
    outboxBacklog: once(
      registry,
      'onecommons_outbox_backlog',
      () =>
        new Gauge({ name: 'onecommons_outbox_backlog', help: 'Outbox rows not yet published', registers }),
    ),
    outboxOldestPendingSeconds: once(
      registry,
      'onecommons_outbox_oldest_pending_seconds',
      () =>
        new Gauge({
          name: 'onecommons_outbox_oldest_pending_seconds',
          help: 'Age of the oldest unpublished outbox row',
          registers,
        }),
    ),
    eventsConsumed: once(
      registry,
      'onecommons_events_consumed_total',
      () =>
        new Counter({
          name: 'onecommons_events_consumed_total',
          help: 'Kafka messages consumed, by outcome (applied, duplicate, ignored, dead_lettered)',
          labelNames: ['topic', 'type', 'outcome'] as const,
          registers,
        }),
    ),
    handlerDuration: once(
      registry,
      'onecommons_event_handler_duration_seconds',
      () =>
        new Histogram({
          name: 'onecommons_event_handler_duration_seconds',
          help: 'Time to apply one event, transaction included',
          labelNames: ['topic', 'type'] as const,
          buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
          registers,
        }),
    ),
    deadLettered: once(
      registry,
      'onecommons_dlq_messages_total',
      () =>
        new Counter({
          name: 'onecommons_dlq_messages_total',
          help: 'Messages sent to a dead-letter topic',
          labelNames: ['topic', 'reason'] as const,
          registers,
        }),
    ),
    consumerLag: once(
      registry,
      'onecommons_kafka_consumer_lag',
      () =>
        new Gauge({
          name: 'onecommons_kafka_consumer_lag',
          help: "Messages between the consumer group's committed offset and the partition's high watermark, as the broker reports them",
          labelNames: ['group', 'topic', 'partition'] as const,
          registers,
        }),
    ),
    consumerLagMeasuredAt: once(
      registry,
      'onecommons_kafka_consumer_lag_measured_timestamp_seconds',
      () =>
        new Gauge({
          name: 'onecommons_kafka_consumer_lag_measured_timestamp_seconds',
          help: 'When the lag of the consumer group was last measured (Unix time); stale when the broker does not answer',
          labelNames: ['group'] as const,
          registers,
        }),
    ),
    processedEventsPruned: once(
      registry,
      'onecommons_processed_events_pruned_total',
      () =>
        new Counter({
          name: 'onecommons_processed_events_pruned_total',
          help: 'Processed-event records deleted once no copy of their message could be delivered again',
          registers,
        }),
    ),
    consumerChunkSize: once(
      registry,
      'onecommons_consumer_chunk_messages',
      () =>
        new Histogram({
          name: 'onecommons_consumer_chunk_messages',
          help: 'Messages per chunk applied in one transaction (CONSUMER_MODE=batched)',
          labelNames: ['topic'] as const,
          buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500],
          registers,
        }),
    ),
    consumerChunkDuration: once(
      registry,
      'onecommons_consumer_chunk_duration_seconds',
      () =>
        new Histogram({
          name: 'onecommons_consumer_chunk_duration_seconds',
          help: "Time of one chunk's transaction, by outcome (committed, or failed and applied one message at a time)",
          labelNames: ['topic', 'outcome'] as const,
          buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
    ),
  };
}

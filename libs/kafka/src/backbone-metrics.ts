import { Counter, Gauge, Histogram, register, type Registry } from 'prom-client';

/** Prometheus metrics of the event backbone, registered once per process registry. */
export interface BackboneMetrics {
  readonly outboxPublished: Counter;
  readonly outboxBacklog: Gauge;
  readonly outboxOldestPendingSeconds: Gauge;
  readonly eventsConsumed: Counter<'topic' | 'type' | 'outcome'>;
  readonly handlerDuration: Histogram<'topic' | 'type'>;
  readonly deadLettered: Counter<'topic' | 'reason'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
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
          help: 'Messages behind the partition high watermark',
          labelNames: ['topic', 'partition'] as const,
          registers,
        }),
    ),
  };
}

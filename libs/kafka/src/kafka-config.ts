import { hostPortListVar, integerVar } from '@onecommons/config';

/** Kafka and backbone settings, validated at boot like every other variable. */
export const kafkaConfigShape = {
  KAFKA_BROKERS: hostPortListVar(),
  KAFKA_CONNECTION_TIMEOUT_MS: integerVar({ min: 100, max: 120_000, default: 3_000 }),
  KAFKA_REQUEST_TIMEOUT_MS: integerVar({ min: 1_000, max: 300_000, default: 30_000 }),
  KAFKA_SESSION_TIMEOUT_MS: integerVar({ min: 6_000, max: 300_000, default: 30_000 }),
  KAFKA_HEARTBEAT_INTERVAL_MS: integerVar({ min: 100, max: 60_000, default: 3_000 }),
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: integerVar({ min: 1, max: 64, default: 3 }),
  KAFKA_TOPIC_PARTITIONS: integerVar({ min: 1, max: 256, default: 6 }),
  OUTBOX_BATCH_SIZE: integerVar({ min: 1, max: 10_000, default: 500 }),
  OUTBOX_POLL_INTERVAL_MS: integerVar({ min: 10, max: 60_000, default: 1_000 }),
  OUTBOX_RETENTION_HOURS: integerVar({ min: 1, max: 24 * 365, default: 168 }),
  CONSUMER_MAX_ATTEMPTS: integerVar({ min: 1, max: 100, default: 5 }),
  CONSUMER_RETRY_BACKOFF_MS: integerVar({ min: 1, max: 60_000, default: 200 }),
  CONSUMER_RETRY_BACKOFF_MAX_MS: integerVar({ min: 1, max: 600_000, default: 10_000 }),
};

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly partitionsConsumedConcurrently: number;
  readonly topicPartitions: number;
  readonly outboxBatchSize: number;
  readonly outboxPollIntervalMs: number;
  readonly outboxRetentionHours: number;
  readonly consumerMaxAttempts: number;
  readonly consumerRetryBackoffMs: number;
  readonly consumerRetryBackoffMaxMs: number;
}

interface KafkaEnvironment {
  readonly KAFKA_BROKERS: readonly string[];
  readonly KAFKA_CONNECTION_TIMEOUT_MS: number;
  readonly KAFKA_REQUEST_TIMEOUT_MS: number;
  readonly KAFKA_SESSION_TIMEOUT_MS: number;
  readonly KAFKA_HEARTBEAT_INTERVAL_MS: number;
  readonly KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: number;
  readonly KAFKA_TOPIC_PARTITIONS: number;
  readonly OUTBOX_BATCH_SIZE: number;
  readonly OUTBOX_POLL_INTERVAL_MS: number;
  readonly OUTBOX_RETENTION_HOURS: number;
  readonly CONSUMER_MAX_ATTEMPTS: number;
  readonly CONSUMER_RETRY_BACKOFF_MS: number;
  readonly CONSUMER_RETRY_BACKOFF_MAX_MS: number;
}

export function kafkaSettingsFrom(env: KafkaEnvironment): KafkaSettings {
  return {
    brokers: env.KAFKA_BROKERS,
    connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
    partitionsConsumedConcurrently: env.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    topicPartitions: env.KAFKA_TOPIC_PARTITIONS,
    outboxBatchSize: env.OUTBOX_BATCH_SIZE,
    outboxPollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    outboxRetentionHours: env.OUTBOX_RETENTION_HOURS,
    consumerMaxAttempts: env.CONSUMER_MAX_ATTEMPTS,
    consumerRetryBackoffMs: env.CONSUMER_RETRY_BACKOFF_MS,
    consumerRetryBackoffMaxMs: env.CONSUMER_RETRY_BACKOFF_MAX_MS,
  };
}

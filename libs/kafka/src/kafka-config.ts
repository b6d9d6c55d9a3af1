import { enumVar, hostPortListVar, integerVar } from '@onecommons/config';
import { z } from 'zod';
import {
  checkKafkaSecurityConfig,
  type KafkaSecurity,
  kafkaSecurityConfigShape,
  kafkaSecurityFrom,
} from './kafka-security.js';
import {
  checkTopicConfig,
  topicConfigShape,
  type TopicSettings,
  topicSettingsFrom,
} from './topics/topic-config.js';

/** How the consumer applies messages: a transaction per chunk of a partition's batch, or one per message. */
export const CONSUMER_MODES = ['batched', 'per-message'] as const;
export type ConsumerMode = (typeof CONSUMER_MODES)[number];

/** Kafka and backbone settings, validated at boot like every other variable. */
export const kafkaConfigShape = {
  KAFKA_BROKERS: hostPortListVar().meta({
    description:
      'The brokers a client first asks for the cluster (any one that answers will do): `host:port,…`.',
    examples: ['127.0.0.1:9092'],
  }),
  KAFKA_CONNECTION_TIMEOUT_MS: integerVar({ min: 100, max: 120_000, default: 3_000 }).meta({
    description: 'How long a client waits for a connection to a broker.',
  }),
  KAFKA_REQUEST_TIMEOUT_MS: integerVar({ min: 1_000, max: 300_000, default: 30_000 }).meta({
    description: 'How long a client waits for a broker to answer a request.',
  }),
  KAFKA_SESSION_TIMEOUT_MS: integerVar({ min: 6_000, max: 300_000, default: 30_000 }).meta({
    description:
      'A consumer its group has not heard from for this long is dropped, and its partitions are given to ' +
      'the others.',
  }),
  KAFKA_HEARTBEAT_INTERVAL_MS: integerVar({ min: 100, max: 60_000, default: 3_000 }).meta({
    description: 'How often a consumer tells its group it is alive; well below KAFKA_SESSION_TIMEOUT_MS.',
  }),
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: integerVar({ min: 1, max: 64, default: 3 }).meta({
    description: 'Partitions one consumer applies at once (each partition in order).',
  }),
  KAFKA_FETCH_MAX_WAIT_MS: integerVar({ min: 10, max: 30_000, default: 5_000 }).meta({
    description:
      "How long the broker holds a consumer's fetch while there is nothing new (new messages end it at once). " +
      'A stopping consumer waits for its fetch to return.',
  }),
  ...topicConfigShape,
  ...kafkaSecurityConfigShape,
  OUTBOX_BATCH_SIZE: integerVar({ min: 1, max: 10_000, default: 500 }).meta({
    description: 'Most outbox rows the relay sends to Kafka at once.',
  }),
  OUTBOX_POLL_INTERVAL_MS: integerVar({ min: 10, max: 60_000, default: 1_000 }).meta({
    description: 'How often the relay looks for new outbox rows when no notification of one woke it.',
  }),
  OUTBOX_RETENTION_HOURS: integerVar({ min: 1, max: 24 * 365, default: 168 }).meta({
    description: 'How long a sent outbox row is kept (an hourly job deletes older ones).',
  }),
  CONSUMER_MAX_ATTEMPTS: integerVar({ min: 1, max: 100, default: 5 }).meta({
    description:
      'Attempts of the handlers on one event before it goes to the dead-letter topic; an unavailable database ' +
      'is waited for without counting.',
  }),
  CONSUMER_RETRY_BACKOFF_MS: integerVar({ min: 1, max: 60_000, default: 200 }).meta({
    description: 'The wait before a failed event is tried again, doubling at each attempt (with jitter).',
  }),
  CONSUMER_RETRY_BACKOFF_MAX_MS: integerVar({ min: 1, max: 600_000, default: 10_000 }).meta({
    description: 'The longest wait between two attempts of a failed event.',
  }),
  CONSUMER_MODE: enumVar(CONSUMER_MODES, 'batched').meta({
    description:
      "How events are applied: `batched`, a transaction per chunk of a partition's batch; `per-message`, one " +
      'per event.',
  }),
  CONSUMER_CHUNK_SIZE: integerVar({ min: 1, max: 10_000, default: 500 }).meta({
    description: 'Most events applied in one transaction in batched mode.',
  }),
  CONSUMER_LAG_INTERVAL_MS: integerVar({ min: 100, max: 600_000, default: 15_000 }).meta({
    description: 'How often each service asks the broker how far its consumer group lags.',
  }),
  PROCESSED_EVENTS_PRUNE_MARGIN_HOURS: integerVar({ min: 1, max: 24 * 365, default: 24 }).meta({
    description:
      'Kept on top of the longest time a copy of a message can still be delivered (topic retention and segment ' +
      'roll, a dead-letter redrive included) before its processed-event record goes: clock skew between ' +
      "producers, the broker and Postgres, and the broker's retention check interval.",
  }),
  PROCESSED_EVENTS_PRUNE_BATCH_SIZE: integerVar({ min: 1, max: 100_000, default: 5_000 }).meta({
    description: 'Processed-event records one statement of a prune deletes.',
  }),
  PROCESSED_EVENTS_PRUNE_MAX_ROWS_PER_RUN: integerVar({ min: 1, max: 100_000_000, default: 500_000 }).meta({
    description:
      'A bound on one prune run, so one run never holds the database for long; the next run continues.',
  }),
};

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly partitionsConsumedConcurrently: number;
  readonly fetchMaxWaitMs: number;
  readonly topics: TopicSettings;
  readonly security: KafkaSecurity;
  readonly outboxBatchSize: number;
  readonly outboxPollIntervalMs: number;
  readonly outboxRetentionHours: number;
  readonly consumerMaxAttempts: number;
  readonly consumerRetryBackoffMs: number;
  readonly consumerRetryBackoffMaxMs: number;
  readonly consumerMode: ConsumerMode;
  /** Most messages applied in one transaction in batched mode. */
  readonly consumerChunkSize: number;
  readonly consumerLagIntervalMs: number;
  readonly processedEventsPruneMarginHours: number;
  readonly processedEventsPruneBatchSize: number;
  readonly processedEventsPruneMaxRowsPerRun: number;
}

type KafkaEnvironment = Parameters<typeof topicSettingsFrom>[0] &
  Parameters<typeof kafkaSecurityFrom>[0] & {
    readonly KAFKA_BROKERS: readonly string[];
    readonly KAFKA_CONNECTION_TIMEOUT_MS: number;
    readonly KAFKA_REQUEST_TIMEOUT_MS: number;
    readonly KAFKA_SESSION_TIMEOUT_MS: number;
    readonly KAFKA_HEARTBEAT_INTERVAL_MS: number;
    readonly KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: number;
    readonly KAFKA_FETCH_MAX_WAIT_MS: number;
    readonly OUTBOX_BATCH_SIZE: number;
    readonly OUTBOX_POLL_INTERVAL_MS: number;
    readonly OUTBOX_RETENTION_HOURS: number;
    readonly CONSUMER_MAX_ATTEMPTS: number;
    readonly CONSUMER_RETRY_BACKOFF_MS: number;
    readonly CONSUMER_RETRY_BACKOFF_MAX_MS: number;
    readonly CONSUMER_MODE: ConsumerMode;
    readonly CONSUMER_CHUNK_SIZE: number;
    readonly CONSUMER_LAG_INTERVAL_MS: number;
    readonly PROCESSED_EVENTS_PRUNE_MARGIN_HOURS: number;
    readonly PROCESSED_EVENTS_PRUNE_BATCH_SIZE: number;
    readonly PROCESSED_EVENTS_PRUNE_MAX_ROWS_PER_RUN: number;
  };

export function kafkaSettingsFrom(env: KafkaEnvironment): KafkaSettings {
  return {
    brokers: env.KAFKA_BROKERS,
    connectionTimeoutMs: env.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: env.KAFKA_REQUEST_TIMEOUT_MS,
    sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    heartbeatIntervalMs: env.KAFKA_HEARTBEAT_INTERVAL_MS,
    partitionsConsumedConcurrently: env.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    fetchMaxWaitMs: env.KAFKA_FETCH_MAX_WAIT_MS,
    topics: topicSettingsFrom(env),
    security: kafkaSecurityFrom(env),
    outboxBatchSize: env.OUTBOX_BATCH_SIZE,
    outboxPollIntervalMs: env.OUTBOX_POLL_INTERVAL_MS,
    outboxRetentionHours: env.OUTBOX_RETENTION_HOURS,
    consumerMaxAttempts: env.CONSUMER_MAX_ATTEMPTS,
    consumerRetryBackoffMs: env.CONSUMER_RETRY_BACKOFF_MS,
    consumerRetryBackoffMaxMs: env.CONSUMER_RETRY_BACKOFF_MAX_MS,
    consumerMode: env.CONSUMER_MODE,
    consumerChunkSize: env.CONSUMER_CHUNK_SIZE,
    consumerLagIntervalMs: env.CONSUMER_LAG_INTERVAL_MS,
    processedEventsPruneMarginHours: env.PROCESSED_EVENTS_PRUNE_MARGIN_HOURS,
    processedEventsPruneBatchSize: env.PROCESSED_EVENTS_PRUNE_BATCH_SIZE,
    processedEventsPruneMaxRowsPerRun: env.PROCESSED_EVENTS_PRUNE_MAX_ROWS_PER_RUN,
  };
}

/** The checks across Kafka variables; every schema that spreads `kafkaConfigShape` runs them. */
export function checkKafkaConfig(env: KafkaEnvironment, context: z.RefinementCtx): void {
  checkTopicConfig(env, context);
  checkKafkaSecurityConfig(env, context);
}

/** The Kafka variables alone, for tools (the CLI, benches) that read no service config. */
export function kafkaConfigSchema(defaultBrokers?: string) {
  return z
    .object({
      ...kafkaConfigShape,
      KAFKA_BROKERS:
        defaultBrokers === undefined ? hostPortListVar() : hostPortListVar().default([defaultBrokers]),
    })
    .superRefine(checkKafkaConfig);
}

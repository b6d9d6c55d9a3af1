import { type Environment, integerVar, loadConfig } from '@onecommons/config';
import { z } from 'zod';

/**
 * The kinds of topic whose sizing differs: the usage topic carries every subscriber's usage, the other domain
 * topics carry few events, and dead-letter topics are read by people, so they may keep letters longer.
 */
export const TOPIC_KINDS = ['usage', 'events', 'dlq'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

const HOURS_PER_TEN_YEARS = 24 * 3_650;

/** How topics are created. Per-kind variables left unset take the general value. */
export const topicConfigShape = {
  KAFKA_TOPIC_PARTITIONS: integerVar({ min: 1, max: 256, default: 6 }).meta({
    description: 'Partitions of a topic the service creates (topics are never changed once they exist).',
  }),
  KAFKA_USAGE_TOPIC_PARTITIONS: integerVar({ min: 1, max: 1_024 })
    .optional()
    .meta({ description: 'Partitions of the usage topic. Unset: KAFKA_TOPIC_PARTITIONS.' }),
  KAFKA_DLQ_TOPIC_PARTITIONS: integerVar({ min: 1, max: 256 })
    .optional()
    .meta({ description: 'Partitions of a dead-letter topic. Unset: KAFKA_TOPIC_PARTITIONS.' }),
  KAFKA_TOPIC_REPLICATION_FACTOR: integerVar({ min: 1, max: 7, default: 1 }).meta({
    description: 'Copies of each partition: 1 for a single local broker; 3 on a cluster.',
  }),
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: integerVar({ min: 1, max: 7 })
    .optional()
    .meta({
      description:
        'Copies a write must reach, at most KAFKA_TOPIC_REPLICATION_FACTOR. Unset: one less than the ' +
        'replication factor (at least 1), so one broker may be down while writes go on.',
    }),
  KAFKA_TOPIC_RETENTION_HOURS: integerVar({ min: 1, max: HOURS_PER_TEN_YEARS, default: 168 }).meta({
    description: 'How long a topic keeps its messages.',
  }),
  KAFKA_USAGE_TOPIC_RETENTION_HOURS: integerVar({ min: 1, max: HOURS_PER_TEN_YEARS }).optional().meta({
    description: 'How long the usage topic keeps its messages. Unset: KAFKA_TOPIC_RETENTION_HOURS.',
  }),
  KAFKA_DLQ_TOPIC_RETENTION_HOURS: integerVar({ min: 1, max: HOURS_PER_TEN_YEARS }).optional().meta({
    description: 'How long a dead-letter topic keeps its letters. Unset: KAFKA_TOPIC_RETENTION_HOURS.',
  }),
};

const topicConfigSchema = z.object(topicConfigShape);
type TopicEnvironment = Readonly<z.output<typeof topicConfigSchema>>;

export interface TopicKindSettings {
  readonly partitions: number;
  readonly retentionHours: number;
}

export interface TopicSettings {
  readonly replicationFactor: number;
  readonly minInsyncReplicas: number;
  readonly kinds: Readonly<Record<TopicKind, TopicKindSettings>>;
}

export function topicSettingsFrom(env: TopicEnvironment): TopicSettings {
  const replicationFactor = env.KAFKA_TOPIC_REPLICATION_FACTOR;
  const general = { partitions: env.KAFKA_TOPIC_PARTITIONS, retentionHours: env.KAFKA_TOPIC_RETENTION_HOURS };
  return {
    replicationFactor,
    minInsyncReplicas: env.KAFKA_TOPIC_MIN_INSYNC_REPLICAS ?? Math.max(1, replicationFactor - 1),
    kinds: {
      events: general,
      usage: {
        partitions: env.KAFKA_USAGE_TOPIC_PARTITIONS ?? general.partitions,
        retentionHours: env.KAFKA_USAGE_TOPIC_RETENTION_HOURS ?? general.retentionHours,
      },
      dlq: {
        partitions: env.KAFKA_DLQ_TOPIC_PARTITIONS ?? general.partitions,
        retentionHours: env.KAFKA_DLQ_TOPIC_RETENTION_HOURS ?? general.retentionHours,
      },
    },
  };
}

/** What one variable cannot say alone: min ISR above the replication factor would refuse every write. */
export function checkTopicConfig(
  env: Pick<TopicEnvironment, 'KAFKA_TOPIC_REPLICATION_FACTOR' | 'KAFKA_TOPIC_MIN_INSYNC_REPLICAS'>,
  context: z.RefinementCtx,
): void {
  const minInsync = env.KAFKA_TOPIC_MIN_INSYNC_REPLICAS;
  if (minInsync !== undefined && minInsync > env.KAFKA_TOPIC_REPLICATION_FACTOR) {
    context.addIssue({
      code: 'custom',
      path: ['KAFKA_TOPIC_MIN_INSYNC_REPLICAS'],
      message: `must not exceed KAFKA_TOPIC_REPLICATION_FACTOR (${env.KAFKA_TOPIC_REPLICATION_FACTOR}): every write would be refused`,
    });
  }
}

/** For tools that create topics without a service's config (`./dev`, test helpers): the same variables. */
export function topicSettingsFromEnvironment(env: Environment = process.env): TopicSettings {
  return topicSettingsFrom(loadConfig(topicConfigSchema.superRefine(checkTopicConfig), env));
}

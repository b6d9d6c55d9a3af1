import { allTopicNames, dlqTopicOf, TOPICS } from '@onecommons/contracts';
import { KAFKA_CLUSTER } from './network-policies.js';
import { type KubernetesObject, PART_OF } from './service-resources.js';

/** Three brokers, each partition on all three; a write is acknowledged once two have it. */
export const TOPIC_REPLICAS = 3;
export const MIN_IN_SYNC_REPLICAS = 2;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Partitions bound how many replicas of a consuming service share the work. The usage topic carries every
 * subscriber's usage: 24 partitions for 10 million subscribers (docs/deploy/kubernetes.md, "Sizing"); the
 * other topics carry account and money events, a few per subscriber per period.
 */
const PARTITIONS: Readonly<Record<string, number>> = { [TOPICS.meteringUsage.name]: 24 };
const DEFAULT_PARTITIONS = 6;
const DLQ_PARTITIONS = 3;

/** Strimzi names a KafkaTopic after the topic unless the name is not a valid Kubernetes name. */
const resourceNameOf = (topic: string) => topic.replaceAll('.', '-');

function kafkaTopic(topic: string, partitions: number, retentionDays: number): KubernetesObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: {
      name: resourceNameOf(topic),
      labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'app.kubernetes.io/component': 'kafka', ...PART_OF },
    },
    spec: {
      topicName: topic,
      partitions,
      replicas: TOPIC_REPLICAS,
      config: {
        'min.insync.replicas': String(MIN_IN_SYNC_REPLICAS),
        'retention.ms': String(retentionDays * DAY_MS),
        'cleanup.policy': 'delete',
      },
    },
  };
}

/**
 * Every topic of the catalogue (libs/contracts) and its dead-letter twin. Dead letters are kept twice as
 * long (14 days) so a redrive after a long weekend still finds them.
 */
export function kafkaTopicResources(): KubernetesObject[] {
  return allTopicNames().flatMap((topic) => [
    kafkaTopic(topic, PARTITIONS[topic] ?? DEFAULT_PARTITIONS, 7),
    kafkaTopic(dlqTopicOf(topic), DLQ_PARTITIONS, 14),
  ]);
}

import { platformTopicCatalogue, topicSettingsFromEnvironment, type TopicSpec } from '@onecommons/kafka';
import { KAFKA_CLUSTER } from './network-policies.js';
import { type KubernetesObject, PART_OF } from './service-resources.js';

/**
 * The topic variables of the platform ConfigMap (`kafka/topic-settings.env`): the KafkaTopics are made from
 * them, and a service that boots before the topic operator has created a topic creates it with the same.
 * Three brokers, each partition on all three, a write acknowledged once two have it. The usage topic carries
 * every subscriber's usage: 24 partitions for 10 million subscribers (docs/deploy/kubernetes.md, "Sizing"); the
 * other topics carry account and money events, a few per subscriber per period. Dead letters are kept twice as
 * long, so a redrive after a long weekend still finds them.
 */
export const CLUSTER_TOPIC_ENVIRONMENT: Readonly<Record<string, string>> = {
  KAFKA_TOPIC_PARTITIONS: '6',
  KAFKA_USAGE_TOPIC_PARTITIONS: '24',
  KAFKA_DLQ_TOPIC_PARTITIONS: '3',
  KAFKA_TOPIC_REPLICATION_FACTOR: '3',
  KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '2',
  KAFKA_TOPIC_RETENTION_HOURS: '168',
  KAFKA_DLQ_TOPIC_RETENTION_HOURS: '336',
};

/** Strimzi names a KafkaTopic after the topic unless the name is not a valid Kubernetes name. */
const resourceNameOf = (topic: string) => topic.replaceAll('.', '-');

function kafkaTopic(spec: TopicSpec): KubernetesObject {
  return {
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaTopic',
    metadata: {
      name: resourceNameOf(spec.name),
      labels: { 'strimzi.io/cluster': KAFKA_CLUSTER, 'app.kubernetes.io/component': 'kafka', ...PART_OF },
    },
    spec: {
      topicName: spec.name,
      partitions: spec.partitions,
      replicas: spec.replicationFactor,
      config: { ...spec.configEntries, 'cleanup.policy': 'delete' },
    },
  };
}

/** Every topic of the catalogue (libs/contracts) and its dead-letter twin, as the services would create them. */
export function kafkaTopicResources(): KubernetesObject[] {
  return platformTopicCatalogue(topicSettingsFromEnvironment(CLUSTER_TOPIC_ENVIRONMENT)).map(kafkaTopic);
}

export function topicSettingsFileText(): string {
  return Object.entries(CLUSTER_TOPIC_ENVIRONMENT)
    .map(([name, value]) => `${name}=${value}\n`)
    .join('');
}

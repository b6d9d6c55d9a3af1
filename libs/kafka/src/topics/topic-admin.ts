import kafkajs, { type Admin, type Kafka } from 'kafkajs';
import { sleep } from '../backoff.js';
import { type TopicSpec } from './topic-catalogue.js';

/** An existing topic with fewer partitions than configured. */
export interface UnderPartitionedTopic {
  readonly topic: string;
  readonly partitions: number;
  readonly configured: number;
}

/** An existing topic whose replication or a topic-level setting is not what is configured. */
export interface DifferingTopicSetting {
  readonly topic: string;
  /** `replication.factor`, or a topic config name such as `retention.ms`. */
  readonly setting: string;
  readonly actual: string;
  readonly configured: string;
}

export interface TopicsEnsured {
  readonly created: readonly string[];
  /**
   * Left as they are: adding partitions moves keys to other partitions, so one aggregate's events could be read
   * out of order while the old partitions drain. An operator adds them when that is acceptable.
   */
  readonly underPartitioned: readonly UnderPartitionedTopic[];
  /**
   * Reported, not changed: where an operator (or Strimzi's topic operator) owns the topics, a service rewriting
   * them would fight it; kafkajs's AlterConfigs would also drop every override it was not given.
   */
  readonly differing: readonly DifferingTopicSetting[];
}

/** Thrown before creating topics a cluster cannot hold: a clearer error than the broker's. */
export class ReplicationFactorTooHighError extends Error {
  constructor(replicationFactor: number, brokers: number) {
    super(
      `KAFKA_TOPIC_REPLICATION_FACTOR is ${replicationFactor} but the cluster has ${brokers} broker(s): ` +
        'topics cannot be created with more replicas than brokers',
    );
    this.name = 'ReplicationFactorTooHighError';
  }
}

/**
 * Creates the topics that do not exist yet (idempotent) and reports existing ones with fewer partitions, another
 * replication factor or other settings than configured; it never changes an existing topic. The broker refuses
 * auto-creation, so a typo in a topic name fails loudly instead of creating a stray topic.
 */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<TopicsEnsured> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.name));
    const present = specs.filter((spec) => existing.has(spec.name));
    const created = await createMissing(admin, missing);
    return {
      created,
      underPartitioned: await underPartitioned(admin, present),
      differing: await differingSettings(admin, present),
    };
  } finally {
    await admin.disconnect();
  }
}

async function createMissing(admin: Admin, missing: readonly TopicSpec[]): Promise<string[]> {
  if (missing.length === 0) return [];
  const replicationFactor = Math.max(...missing.map((spec) => spec.replicationFactor));
  const { brokers } = await admin.describeCluster();
  if (replicationFactor > brokers.length) {
    throw new ReplicationFactorTooHighError(replicationFactor, brokers.length);
  }
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((spec) => ({
        topic: spec.name,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor,
        configEntries: Object.entries(spec.configEntries).map(([name, value]) => ({ name, value })),
      })),
    });
  } catch (error) {
    const type = (error as { type?: string }).type;
    // Another service created some of them concurrently.
    if (type === 'TOPIC_ALREADY_EXISTS') return [];
    // On a cluster, the node asked for the new leaders may not have learned of the topics yet: they exist.
    if (type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
    await untilKnown(admin, missing);
  }
  return missing.map((spec) => spec.name);
}

const METADATA_WAIT_MS = 30_000;

async function untilKnown(admin: Admin, topics: readonly TopicSpec[]): Promise<void> {
  const deadline = Date.now() + METADATA_WAIT_MS;
  for (;;) {
    try {
      await admin.fetchTopicMetadata({ topics: topics.map((spec) => spec.name) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function underPartitioned(
  admin: Admin,
  present: readonly TopicSpec[],
): Promise<UnderPartitionedTopic[]> {
  if (present.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
  const partitionsOf = new Map(topics.map((topic) => [topic.name, topic.partitions.length]));
  return present.flatMap((spec) => {
    const partitions = partitionsOf.get(spec.name) ?? 0;
    return partitions < spec.partitions
      ? [{ topic: spec.name, partitions, configured: spec.partitions }]
      : [];
  });
}

async function differingSettings(
  admin: Admin,
  present: readonly TopicSpec[],
): Promise<DifferingTopicSetting[]> {
  if (present.length === 0) return [];
  const { topics } = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
  const replicasOf = new Map(topics.map((topic) => [topic.name, topic.partitions[0]?.replicas.length ?? 0]));
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((spec) => ({
      // From the default export: Node finds no named export of kafkajs's CommonJS after `logLevel`.
      type: kafkajs.ConfigResourceTypes.TOPIC,
      name: spec.name,
      configNames: Object.keys(spec.configEntries),
    })),
  });
  const configOf = new Map(
    resources.map((resource) => [
      resource.resourceName,
      new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
    ]),
  );
  return present.flatMap((spec) => {
    const differing: DifferingTopicSetting[] = [];
    const replicas = replicasOf.get(spec.name) ?? 0;
    if (replicas !== spec.replicationFactor)
      differing.push({
        topic: spec.name,
        setting: 'replication.factor',
        actual: String(replicas),
        configured: String(spec.replicationFactor),
      });
    for (const [setting, configured] of Object.entries(spec.configEntries)) {
      const actual = configOf.get(spec.name)?.get(setting) ?? '';
      if (actual !== configured) differing.push({ topic: spec.name, setting, actual, configured });
    }
    return differing;
  });
}

/** One line for a log: which topics' settings differ from the configuration, and that they were left so. */
export function describeDifferingSettings(settings: readonly DifferingTopicSetting[]): string {
  const list = settings
    .map((entry) => `${entry.topic} ${entry.setting}=${entry.actual} (configured ${entry.configured})`)
    .join(', ');
  return `topics whose settings differ from the configuration, left unchanged (change them with kafka-configs --alter, or the KafkaTopic): ${list}`;
}

/** One line for a log: which topics have fewer partitions than configured, and that they were left so. */
export function describeUnderPartitioned(topics: readonly UnderPartitionedTopic[]): string {
  const list = topics.map((entry) => `${entry.topic} (${entry.partitions} < ${entry.configured})`).join(', ');
  return `topics with fewer partitions than configured, left unchanged (add partitions with kafka-topics --alter when key order allows): ${list}`;
}

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopicOf } from '@onecommons/contracts';
import { eventually, uniqueSuffix } from '@onecommons/testing';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import {
  createKafka,
  ensureTopics,
  ReplicationFactorTooHighError,
  topicSettingsFromEnvironment,
  topicSpecsOf,
} from '../src/index.js';
import { testSettings } from './backbone-harness.js';

const HOUR_MS = 3_600_000;
let kafka: Kafka;
const made: string[] = [];

beforeAll(() => {
  kafka = createKafka(testSettings(), `test-topic-admin-${uniqueSuffix()}`);
});

afterAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: made }).catch(() => undefined);
  await admin.disconnect();
});

/** As the cluster describes it, once every node it asks has learned of the topic. */
function described(topic: string) {
  return eventually(`${topic} described`, () => describedNow(topic), { timeoutMs: 30_000, intervalMs: 200 });
}

async function describedNow(topic: string) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configNames: ['retention.ms', 'min.insync.replicas'],
        },
      ],
    });
    const config = Object.fromEntries(
      (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
    );
    return { partitions: metadata?.partitions.length, config };
  } finally {
    await admin.disconnect();
  }
}

describe('ensureTopics', () => {
  it('creates missing topics with their partitions and config entries, per kind', async () => {
    const topic = `t-admin-${uniqueSuffix()}`;
    made.push(topic, dlqTopicOf(topic));
    const settings = topicSettingsFromEnvironment({
      KAFKA_TOPIC_PARTITIONS: '2',
      KAFKA_DLQ_TOPIC_PARTITIONS: '1',
      KAFKA_TOPIC_RETENTION_HOURS: '5',
      KAFKA_DLQ_TOPIC_RETENTION_HOURS: '720',
    });
    const outcome = await ensureTopics(kafka, topicSpecsOf([topic, dlqTopicOf(topic)], settings));
    expect(outcome).toEqual({ created: [topic, dlqTopicOf(topic)], underPartitioned: [], differing: [] });
    expect(await described(topic)).toEqual({
      partitions: 2,
      config: { 'retention.ms': String(5 * HOUR_MS), 'min.insync.replicas': '1' },
    });
    expect(await described(dlqTopicOf(topic))).toEqual({
      partitions: 1,
      config: { 'retention.ms': String(720 * HOUR_MS), 'min.insync.replicas': '1' },
    });
  });

  it('reports an existing topic with fewer partitions than configured and leaves it as it is', async () => {
    const topic = `t-admin-${uniqueSuffix()}`;
    made.push(topic);
    const specs = (partitions: string) =>
      topicSpecsOf([topic], topicSettingsFromEnvironment({ KAFKA_TOPIC_PARTITIONS: partitions }));
    await ensureTopics(kafka, specs('2'));
    expect(await ensureTopics(kafka, specs('4'))).toEqual({
      created: [],
      underPartitioned: [{ topic, partitions: 2, configured: 4 }],
      differing: [],
    });
    expect((await described(topic)).partitions).toBe(2);
    // More partitions than configured is no problem: nothing to report, nothing shrunk.
    expect(await ensureTopics(kafka, specs('1'))).toEqual({
      created: [],
      underPartitioned: [],
      differing: [],
    });
    expect((await described(topic)).partitions).toBe(2);
  });

  it('reports an existing topic whose retention or min.insync.replicas differ, and leaves them as they are', async () => {
    const topic = `t-admin-${uniqueSuffix()}`;
    made.push(topic);
    const specs = (retentionHours: string) =>
      topicSpecsOf([topic], topicSettingsFromEnvironment({ KAFKA_TOPIC_RETENTION_HOURS: retentionHours }));
    await ensureTopics(kafka, specs('5'));
    expect((await ensureTopics(kafka, specs('9'))).differing).toEqual([
      { topic, setting: 'retention.ms', actual: String(5 * HOUR_MS), configured: String(9 * HOUR_MS) },
    ]);
    expect((await described(topic)).config['retention.ms']).toBe(String(5 * HOUR_MS));
    const admin = kafka.admin();
    await admin.connect();
    try {
      const brokers = (await admin.describeCluster()).brokers.length;
      const [spec] = specs('5');
      const higher = {
        ...spec!,
        replicationFactor: brokers + 1,
        configEntries: { ...spec!.configEntries, 'min.insync.replicas': '2' },
      };
      expect((await ensureTopics(kafka, [higher])).differing).toEqual([
        { topic, setting: 'replication.factor', actual: String(brokers), configured: String(brokers + 1) },
        { topic, setting: 'min.insync.replicas', actual: '1', configured: '2' },
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a replication factor above the number of brokers, naming the variable, and creates nothing', async () => {
    const topic = `t-admin-${uniqueSuffix()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      const brokers = (await admin.describeCluster()).brokers.length;
      const replicationFactor = String(brokers + 1);
      const specs = topicSpecsOf(
        [topic],
        topicSettingsFromEnvironment({ KAFKA_TOPIC_REPLICATION_FACTOR: replicationFactor }),
      );
      const failure = ensureTopics(kafka, specs);
      await expect(failure).rejects.toBeInstanceOf(ReplicationFactorTooHighError);
      await expect(failure).rejects.toThrow(
        `KAFKA_TOPIC_REPLICATION_FACTOR is ${replicationFactor} but the cluster has ${brokers} broker(s)`,
      );
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});

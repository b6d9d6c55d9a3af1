import { describe, expect, it } from '@jest/globals';
import { allTopicNamesWithDlq, TOPICS } from '@onecommons/contracts';
import { platformTopicCatalogue, topicSpecOf } from './topic-catalogue.js';
import { topicSettingsFromEnvironment } from './topic-config.js';

const HOUR_MS = 3_600_000;

describe('the topic catalogue', () => {
  it('holds every platform topic and its DLQ, with the local defaults: RF 1, 6 partitions, 168 h', () => {
    const catalogue = platformTopicCatalogue(topicSettingsFromEnvironment({}));
    expect(catalogue.map((spec) => spec.name)).toEqual(allTopicNamesWithDlq());
    for (const spec of catalogue) {
      expect(spec).toMatchObject({ partitions: 6, replicationFactor: 1 });
      expect(spec.configEntries).toEqual({
        'retention.ms': String(168 * HOUR_MS),
        'min.insync.replicas': '1',
      });
    }
  });

  it('sizes the usage topic, the other topics and the DLQs each by their own variables', () => {
    const settings = topicSettingsFromEnvironment({
      KAFKA_TOPIC_PARTITIONS: '3',
      KAFKA_USAGE_TOPIC_PARTITIONS: '48',
      KAFKA_DLQ_TOPIC_PARTITIONS: '1',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_TOPIC_RETENTION_HOURS: '72',
      KAFKA_USAGE_TOPIC_RETENTION_HOURS: '24',
      KAFKA_DLQ_TOPIC_RETENTION_HOURS: '720',
    });
    expect(topicSpecOf(TOPICS.meteringUsage.name, settings)).toEqual({
      name: 'metering.usage.v1',
      kind: 'usage',
      partitions: 48,
      replicationFactor: 3,
      configEntries: { 'retention.ms': String(24 * HOUR_MS), 'min.insync.replicas': '2' },
    });
    expect(topicSpecOf(TOPICS.ledgerEvents.name, settings)).toMatchObject({
      kind: 'events',
      partitions: 3,
      configEntries: { 'retention.ms': String(72 * HOUR_MS), 'min.insync.replicas': '2' },
    });
    expect(topicSpecOf('metering.usage.v1.dlq', settings)).toMatchObject({
      kind: 'dlq',
      partitions: 1,
      configEntries: { 'retention.ms': String(720 * HOUR_MS) },
    });
  });

  it('takes min.insync.replicas when set, and refuses one above the replication factor', () => {
    const settings = (env: Record<string, string>) => topicSettingsFromEnvironment(env);
    expect(
      settings({ KAFKA_TOPIC_REPLICATION_FACTOR: '3', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' })
        .minInsyncReplicas,
    ).toBe(3);
    expect(() =>
      settings({ KAFKA_TOPIC_REPLICATION_FACTOR: '2', KAFKA_TOPIC_MIN_INSYNC_REPLICAS: '3' }),
    ).toThrow(/KAFKA_TOPIC_MIN_INSYNC_REPLICAS: must not exceed KAFKA_TOPIC_REPLICATION_FACTOR \(2\)/);
  });

  it.each([
    ['KAFKA_TOPIC_PARTITIONS', '0'],
    ['KAFKA_USAGE_TOPIC_PARTITIONS', 'many'],
    ['KAFKA_TOPIC_REPLICATION_FACTOR', '0'],
    ['KAFKA_DLQ_TOPIC_RETENTION_HOURS', '-1'],
  ])('refuses %s=%s, naming it', (name, value) => {
    expect(() => topicSettingsFromEnvironment({ [name]: value })).toThrow(`${name}: must be an integer`);
  });
});

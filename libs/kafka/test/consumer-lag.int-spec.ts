import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopicOf, type CloudEvent } from '@onecommons/contracts';
import { eventually, RawProducer, uniqueSuffix } from '@onecommons/testing';
import { Registry } from 'prom-client';
import {
  backboneMetrics,
  ConsumerLagMonitor,
  ensureTopics,
  EventConsumerServer,
  type BackboneMetrics,
  type IdempotentEventProcessor,
  topicSpecsOf,
} from '../src/index.js';
import { BackboneFixture, testSettings } from './backbone-harness.js';

// Lag as the broker sees it: the group's committed offsets against the partitions' high watermarks, measured
// on the monitor's own connection, so a group that is not consuming, or is stuck, shows its whole backlog.

const PARTITIONS = 3;
let fixture: BackboneFixture;
let topic: string;

beforeAll(async () => {
  fixture = await BackboneFixture.create();
  topic = `t-lag-${uniqueSuffix()}`;
  await ensureTopics(fixture.kafka, topicSpecsOf([topic, dlqTopicOf(topic)], testSettings().topics));
});

afterAll(async () => {
  const admin = fixture.kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic, dlqTopicOf(topic)] }).catch(() => undefined);
  await admin.disconnect();
  await fixture.dispose();
});

async function publish(events: readonly CloudEvent[]): Promise<void> {
  const producer = await RawProducer.connect();
  try {
    for (const event of events) await producer.send(topic, event.subject ?? event.id, JSON.stringify(event));
  } finally {
    await producer.stop();
  }
}

/** What a scrape of the gauge shows for one group: partition → lag. */
async function exported(metrics: BackboneMetrics, group: string): Promise<Map<string, number>> {
  const { values } = await metrics.consumerLag.get();
  return new Map(
    values
      .filter((sample) => sample.labels['group'] === group && sample.labels['topic'] === topic)
      .map((sample) => [String(sample.labels['partition']), sample.value]),
  );
}

const total = (lags: Map<string, number>) => [...lags.values()].reduce((sum, lag) => sum + lag, 0);

async function listen(processor: IdempotentEventProcessor, monitor: ConsumerLagMonitor) {
  const stop = new AbortController();
  const server = new EventConsumerServer({
    kafka: fixture.kafka,
    groupId: fixture.consumerGroup,
    settings: testSettings({ consumerMode: 'per-message' }), // the stuck handler holds one message at a time
    topics: () => [topic],
    processor,
    stopController: stop,
    lagMonitor: monitor,
  });
  await new Promise<void>((resolve, reject) => {
    void server.listen((error) => (error ? reject(error as Error) : resolve()));
  });
  return server;
}

describe('consumer lag', () => {
  it('reports the backlog of a group that is not consuming, holds it while the consumer is stuck, and drops to 0 once it caught up', async () => {
    const events = Array.from({ length: 12 }, () => BackboneFixture.event());
    await publish(events);
    const metrics = backboneMetrics(new Registry());
    const monitor = new ConsumerLagMonitor({
      kafka: fixture.kafka,
      groupId: fixture.consumerGroup,
      topics: () => [topic],
      metrics,
      intervalMs: 200,
    });

    // Nobody consumes yet: the group never committed, so everything on the log is its backlog.
    const measured = await monitor.measure();
    expect(measured).toHaveLength(PARTITIONS);
    expect(measured.every((entry) => entry.committedOffset === null)).toBe(true);
    expect(measured.map((entry) => entry.lag)).toEqual(measured.map((entry) => Number(entry.highWatermark)));
    const idle = await exported(metrics, fixture.consumerGroup);
    expect([...idle.keys()].sort()).toEqual(['0', '1', '2']);
    expect(total(idle)).toBe(events.length);

    // The consumer fetches everything but its handler hangs: nothing is committed, so the lag stays whole
    // (the consumer's own view of its fetch position would have said 0 by now).
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    const processor = await fixture.processor({
      observe: async () => {
        entered++;
        await gate;
      },
    });
    const startedAt = Date.now() / 1000;
    const server = await listen(processor, monitor);
    try {
      await eventually('the handler to be stuck on its first messages', async () =>
        entered > 0 ? true : undefined,
      );
      await eventually('a measurement while the consumer is stuck', async () => {
        const { values } = await metrics.consumerLagMeasuredAt.get();
        const at = values.find((sample) => sample.labels['group'] === fixture.consumerGroup)?.value ?? 0;
        return at > startedAt + 0.5 ? true : undefined;
      });
      expect(total(await exported(metrics, fixture.consumerGroup))).toBe(events.length);

      release();
      await eventually('the lag to drop to 0', async () =>
        total(await exported(metrics, fixture.consumerGroup)) === 0 ? true : undefined,
      );
      const effects = await fixture.effectsOf(events.map((event) => event.id));
      expect(events.map((event) => effects.get(event.id))).toEqual(events.map(() => 1));

      // More arrives while it consumes: measured again after it was applied, and caught up again.
      const more = Array.from({ length: 4 }, () => BackboneFixture.event());
      await publish(more);
      const appliedAt = await eventually('the new messages to be applied', async () =>
        (await fixture.effectsOf(more.map((event) => event.id))).size === more.length
          ? Date.now() / 1000
          : undefined,
      );
      await eventually('a measurement after that, at 0', async () => {
        const { values } = await metrics.consumerLagMeasuredAt.get();
        const at = values.find((sample) => sample.labels['group'] === fixture.consumerGroup)?.value ?? 0;
        return at > appliedAt && total(await exported(metrics, fixture.consumerGroup)) === 0
          ? true
          : undefined;
      });
    } finally {
      release();
      await server.close();
    }
  });

  it('stops reporting the partitions of a topic the group no longer consumes', async () => {
    const group = `${fixture.consumerGroup}-changing`;
    let topics = [topic];
    const metrics = backboneMetrics(new Registry());
    const monitor = new ConsumerLagMonitor({
      kafka: fixture.kafka,
      groupId: group,
      topics: () => topics,
      metrics,
      intervalMs: 60_000,
    });
    try {
      await monitor.measure();
      expect([...(await exported(metrics, group)).keys()].sort()).toEqual(['0', '1', '2']);
      topics = [];
      await monitor.measure();
      expect((await exported(metrics, group)).size).toBe(0);
    } finally {
      await monitor.stop();
    }
  });
});

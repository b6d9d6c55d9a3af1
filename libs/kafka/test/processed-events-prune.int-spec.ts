import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dlqTopicOf, TOPICS, uuidV7, type CloudEvent } from '@onecommons/contracts';
import { eventually, RawProducer, uniqueSuffix } from '@onecommons/testing';
import { type Admin } from 'kafkajs';
import {
  EventConsumerServer,
  pruneProcessedEvents,
  redeliveryHorizonMs,
  topicLifetimes,
  type IdempotentEventProcessor,
  type IncomingMessage,
  type ProcessOutcome,
} from '../src/index.js';
import { BackboneFixture, testSettings } from './backbone-harness.js';

// Processed-event records go once no copy of their message can reach the consumer again: older than the
// topic's redelivery horizon (read from the broker's topic configuration) plus the margin. A record a
// redelivery could still need stays, and the redelivered message is not applied again.

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The topic under test keeps messages 1 h and rolls segments every 10 min; its DLQ 2 h and 10 min. */
const TOPIC_CONFIG = { retention: HOUR_MS, segment: 10 * MINUTE_MS };
const DLQ_CONFIG = { retention: 2 * HOUR_MS, segment: 10 * MINUTE_MS };
/** 2 × (1 h + 10 min) + (2 h + 10 min) */
const HORIZON_MS =
  2 * (TOPIC_CONFIG.retention + TOPIC_CONFIG.segment) + DLQ_CONFIG.retention + DLQ_CONFIG.segment;
const MARGIN_HOURS = 1;
const CUTOFF_MS = HORIZON_MS + MARGIN_HOURS * HOUR_MS;

let fixture: BackboneFixture;
let admin: Admin;
let topic: string;

beforeAll(async () => {
  fixture = await BackboneFixture.create();
  admin = fixture.kafka.admin();
  await admin.connect();
  topic = `t-prune-${uniqueSuffix()}`;
  const config = ({ retention, segment }: { retention: number; segment: number }) => [
    { name: 'retention.ms', value: String(retention) },
    { name: 'segment.ms', value: String(segment) },
  ];
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      { topic, numPartitions: 3, replicationFactor: 1, configEntries: config(TOPIC_CONFIG) },
      { topic: dlqTopicOf(topic), numPartitions: 3, replicationFactor: 1, configEntries: config(DLQ_CONFIG) },
    ],
  });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic, dlqTopicOf(topic)] }).catch(() => undefined);
  await admin.disconnect();
  await fixture.dispose();
});

/** Records the outcomes the processor reached, per event id. */
function recording(processor: IdempotentEventProcessor, outcomes: Map<string, ProcessOutcome[]>) {
  const original = processor.process.bind(processor);
  processor.process = async (incoming: IncomingMessage) => {
    const outcome = await original(incoming);
    const id = (JSON.parse(incoming.message.value?.toString() ?? '{}') as { id?: string }).id;
    if (id) outcomes.set(id, [...(outcomes.get(id) ?? []), outcome]);
    return outcome;
  };
  return processor;
}

async function publish(events: readonly CloudEvent[]): Promise<void> {
  const producer = await RawProducer.connect();
  try {
    for (const event of events) await producer.send(topic, event.subject ?? event.id, JSON.stringify(event));
  } finally {
    await producer.stop();
  }
}

async function recordsOf(eventIds: readonly string[]): Promise<string[]> {
  const rows: { event_id: string }[] = await fixture.dataSource.query(
    'SELECT event_id FROM processed_events WHERE event_id = ANY($1::uuid[]) ORDER BY event_id',
    [eventIds],
  );
  return rows.map((row) => row.event_id);
}

/** A record of a message applied `ageMs` ago (its message long gone from the log, or not: see the test). */
async function insertRecord(group: string, recordTopic: string, ageMs: number): Promise<string> {
  const eventId = uuidV7();
  await fixture.dataSource.query(
    `INSERT INTO processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset, processed_at)
     VALUES ($1, $2, 'onecommons.test.v1', $3, 0, 0, clock_timestamp() - make_interval(secs => $4))`,
    [group, eventId, recordTopic, ageMs / 1_000],
  );
  return eventId;
}

async function age(eventId: string, ageMs: number): Promise<void> {
  await fixture.dataSource.query(
    'UPDATE processed_events SET processed_at = clock_timestamp() - make_interval(secs => $2) WHERE event_id = $1',
    [eventId, ageMs / 1_000],
  );
}

describe('processed-event pruning', () => {
  it("reads each topic's lifetime from the broker, its own configuration or the broker's defaults", async () => {
    const lifetimes = await topicLifetimes(admin, [topic, dlqTopicOf(topic), TOPICS.identityEvents.name]);
    expect(lifetimes.get(topic)).toMatchObject({
      retentionMs: TOPIC_CONFIG.retention,
      segmentMs: TOPIC_CONFIG.segment,
      lifetimeMs: TOPIC_CONFIG.retention + TOPIC_CONFIG.segment,
    });
    expect(redeliveryHorizonMs(topic, lifetimes)).toBe(HORIZON_MS);
    // The platform's topics set nothing of their own: the broker's log.retention.hours=168
    // (deploy/local/kafka/server.properties.template) and its default segment roll of 7 days apply.
    expect(lifetimes.get(TOPICS.identityEvents.name)).toMatchObject({
      retentionMs: 168 * HOUR_MS,
      segmentMs: 168 * HOUR_MS,
    });
    expect((await topicLifetimes(admin, [`t-missing-${uniqueSuffix()}`])).size).toBe(0);
  });

  it('deletes only records older than the horizon plus the margin, in bounded runs, and a redelivery of a retained message is still absorbed', async () => {
    // Applied through the real consumer: these messages are on the topic, so their records must stay.
    const retained = Array.from({ length: 3 }, () => BackboneFixture.event());
    const outcomes = new Map<string, ProcessOutcome[]>();
    const stop = new AbortController();
    const processor = recording(await fixture.processor({ stopSignal: stop.signal }), outcomes);
    const server = new EventConsumerServer({
      kafka: fixture.kafka,
      groupId: fixture.consumerGroup,
      settings: testSettings({ consumerMode: 'per-message' }), // outcomes are recorded per message
      topics: () => [topic],
      processor,
      stopController: stop,
    });
    await new Promise<void>((resolve, reject) => {
      void server.listen((error) => (error ? reject(error as Error) : resolve()));
    });
    try {
      await publish(retained);
      await eventually('the retained messages to be applied', async () =>
        retained.every((event) => outcomes.get(event.id)?.includes('applied')) ? true : undefined,
      );
      const [nearBoundary, , recent] = retained as [CloudEvent, CloudEvent, CloudEvent];
      // Just inside the cutoff: a copy could in principle still come, so it stays.
      await age(nearBoundary.id, CUTOFF_MS - 10 * MINUTE_MS);

      // Records past the cutoff (their messages gone long ago), of this group and of a group no longer used.
      const old = [
        await insertRecord(fixture.consumerGroup, topic, CUTOFF_MS + 10 * MINUTE_MS),
        await insertRecord(fixture.consumerGroup, topic, CUTOFF_MS + 5 * HOUR_MS),
        await insertRecord(`${fixture.consumerGroup}-retired`, topic, CUTOFF_MS + HOUR_MS),
      ];
      // A topic the broker does not know: its lifetime is unknown, so its records stay, however old.
      const unknownTopic = `t-gone-${uniqueSuffix()}`;
      const unknown = await insertRecord(fixture.consumerGroup, unknownTopic, 1_000 * HOUR_MS);

      const options = { marginHours: MARGIN_HOURS, batchSize: 2 };
      const first = await pruneProcessedEvents(fixture.dataSource, admin, { ...options, maxRows: 1 });
      expect(first).toMatchObject({ deleted: 1, complete: false });
      const second = await pruneProcessedEvents(fixture.dataSource, admin, { ...options, maxRows: 1_000 });
      expect(second.deleted).toBe(2);
      expect(second.complete).toBe(true);
      expect(second.topics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            consumerGroup: fixture.consumerGroup,
            topic,
            olderThanSeconds: CUTOFF_MS / 1_000,
          }),
          expect.objectContaining({ topic: unknownTopic, kept: 'retention_unknown', deleted: 0 }),
        ]),
      );
      expect(await recordsOf(old)).toEqual([]);
      expect(await recordsOf([unknown, ...retained.map((event) => event.id)])).toEqual(
        [unknown, ...retained.map((event) => event.id)].sort(),
      );
      expect(
        (await pruneProcessedEvents(fixture.dataSource, admin, { ...options, maxRows: 1_000 })).deleted,
      ).toBe(0);

      // The retained messages come again (as a DLQ redrive or a producer's resend would bring them): the kept
      // records absorb them, nothing is applied a second time.
      await publish([nearBoundary, recent]);
      await eventually('the copies to be consumed', async () =>
        [nearBoundary, recent].every((event) => outcomes.get(event.id)?.includes('duplicate'))
          ? true
          : undefined,
      );
      const effects = await fixture.effectsOf(retained.map((event) => event.id));
      expect(retained.map((event) => effects.get(event.id))).toEqual([1, 1, 1]);
      expect([nearBoundary, recent].map((event) => outcomes.get(event.id))).toEqual([
        ['applied', 'duplicate'],
        ['applied', 'duplicate'],
      ]);
    } finally {
      await server.close();
    }
  });
});

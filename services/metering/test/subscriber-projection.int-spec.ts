import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  dlqTopicOf,
  SubscriberRegisteredV1,
  SubscriberRegisteredV2,
  TOPICS,
  uuidV7,
} from '@onecommons/contracts';
import { eventually, RawProducer, startService, TopicProbe, type RunningService } from '@onecommons/testing';
import { meteringService } from '../src/metering.definition.js';

const IDENTITY_TOPIC = TOPICS.identityEvents.name;
const source = { source: '/onecommons/identity' };

let metering: RunningService;
let producer: RawProducer;
let deadLetters: TopicProbe;

beforeAll(async () => {
  metering = await startService(meteringService, { env: { CONSUMER_MAX_ATTEMPTS: '2' } });
  producer = await RawProducer.connect();
  deadLetters = await TopicProbe.start([dlqTopicOf(IDENTITY_TOPIC)]);
});

afterAll(async () => {
  await deadLetters.stop();
  await producer.stop();
  await metering.stop();
});

const subscriberRow = (subscriberId: string) =>
  eventually(`subscriber ${subscriberId} in metering`, async () => {
    const [row] = await metering.query<{ plan: string; registered_at: Date }>(
      'SELECT plan, registered_at FROM subscribers WHERE subscriber_id = $1',
      [subscriberId],
    );
    return row;
  });

describe('the subscriber projection', () => {
  it('projects SubscriberRegistered v2 once, however often the event is delivered', async () => {
    const subscriberId = uuidV7();
    const event = createEvent(
      SubscriberRegisteredV2,
      { subscriberId, emailVerified: true, registeredAt: '2026-01-02T03:04:05.000Z' },
      source,
    );
    for (let delivery = 0; delivery < 3; delivery++) {
      await producer.send(IDENTITY_TOPIC, subscriberId, JSON.stringify(event));
    }
    const row = await subscriberRow(subscriberId);
    expect(row.plan).toBe('free');
    expect(row.registered_at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    const processed = await eventually('the three deliveries to be consumed', async () => {
      const rows = await metering.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM processed_events WHERE event_id = $1 AND consumer_group = $2',
        [event.id, metering.consumerGroup],
      );
      return rows[0]?.n === 1 ? rows : undefined;
    });
    expect(processed).toEqual([{ n: 1 }]);
  });

  it('reads a v1 event through the upcaster (registered at the event time)', async () => {
    const subscriberId = uuidV7();
    const time = new Date('2025-12-24T18:00:00.000Z');
    const legacy = createEvent(
      SubscriberRegisteredV1,
      { subscriberId, email: 'old@example.org' },
      { ...source, time },
    );
    await producer.send(IDENTITY_TOPIC, subscriberId, JSON.stringify(legacy));
    const row = await subscriberRow(subscriberId);
    expect(row.registered_at.toISOString()).toBe(time.toISOString());
  });

  it.each([
    ['a value that is not JSON', '{"specversion": "1.0", ', 'invalid_json'],
    [
      'an event of no known type',
      JSON.stringify({ ...createEnvelope(), type: 'onecommons.identity.nothing.happened.v1' }),
      'unknown_type',
    ],
    [
      'an event whose data breaks its schema',
      JSON.stringify({
        ...createEnvelope(),
        data: { subscriberId: 'not-a-uuid', emailVerified: true, registeredAt: 'x' },
      }),
      'invalid_data',
    ],
  ])('dead-letters %s with the reason, and the partition moves on', async (_label, value, reason) => {
    const key = randomUUID();
    await producer.send(IDENTITY_TOPIC, key, value, {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    const after = uuidV7();
    const next = createEvent(
      SubscriberRegisteredV2,
      { subscriberId: after, emailVerified: false, registeredAt: new Date().toISOString() },
      source,
    );
    await producer.send(IDENTITY_TOPIC, key, JSON.stringify(next)); // same key: same partition, after the poison
    await subscriberRow(after);
    const [dead] = await eventually('the poison message on the DLQ', async () => {
      const found = deadLetters.matching(
        (message) =>
          message.key === key && message.headers['oc-dlq-consumer-group'] === metering.consumerGroup,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(dead?.value).toBe(value);
    expect(dead?.headers).toMatchObject({
      'oc-dlq-original-topic': IDENTITY_TOPIC,
      'oc-dlq-reason': reason,
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(dead?.headers['oc-dlq-original-offset']).toMatch(/^\d+$/);
  });
});

function createEnvelope() {
  return createEvent(
    SubscriberRegisteredV2,
    { subscriberId: uuidV7(), emailVerified: false, registeredAt: new Date().toISOString() },
    source,
  );
}

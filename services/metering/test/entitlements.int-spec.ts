import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, periodOf, SubscriptionStartedV1, TOPICS, UsageRecordedV2 } from '@onecommons/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { QuotaWatcher } from '../src/entitlements/quota-watcher.js';
import { eventually, RawProducer } from '@onecommons/testing';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriber,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let producer: RawProducer;

beforeAll(async () => {
  stack = await startMeteringStack({ METERING_FREE_PLAN_LIMITS: 'requests:100' });
  await defineMeters(stack, { requests: 1, active_seconds: 1 });
  ({ serviceId, apiKey } = await newService(stack));
  producer = await RawProducer.connect();
});

afterAll(async () => {
  await producer.stop();
  await stack.stop();
});

async function use(subscriber: string, quantity: number, meter = 'requests'): Promise<void> {
  const answer = await json(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential: apiKey,
    contentType: 'application/cloudevents+json',
    body: {
      specversion: '1.0',
      id: randomUUID(),
      source: `/services/${serviceId}`,
      type: 'onecommons.usage.v1',
      subject: subscriber,
      time: new Date().toISOString(),
      data: { service: serviceId, meter, quantity },
    },
  });
  expect(answer.status).toBe(202);
}

const notices = (subscriber: string) =>
  stack.metering.query<{ event_type: string; payload: string }>(
    `SELECT event_type, payload FROM outbox WHERE message_key = $1 AND event_type LIKE 'onecommons.metering.quota.%'
      ORDER BY id`,
    [subscriber],
  );

/** Waits until metering has processed its own usage events for the subscriber (the watcher runs off them). */
const watched = (subscriber: string, events: number) =>
  eventually('the quota watcher saw the usage', async () => {
    const [row] = await stack.metering.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM processed_events WHERE event_type = 'onecommons.metering.usage.recorded.v2'
         AND event_id IN (SELECT event_id FROM outbox WHERE event_type = 'onecommons.metering.usage.recorded.v2'
                           AND payload::jsonb -> 'data' -> 'subscribers'
                                 @> jsonb_build_array(jsonb_build_object('subscriberId', $1::text)))`,
      [subscriber],
    );
    return (row?.n ?? 0) >= events ? true : undefined;
  });

describe('free plan quotas', () => {
  it('announce 80% and 100% of a limit once each, however much more is used', async () => {
    const [subscriber] = (await newSubscriberIds(stack, 1)) as [string];
    await use(subscriber, 79);
    await watched(subscriber, 1);
    expect(await notices(subscriber)).toEqual([]);

    await use(subscriber, 1);
    await watched(subscriber, 2);
    await use(subscriber, 5);
    await watched(subscriber, 3);
    await use(subscriber, 20);
    await watched(subscriber, 4);
    await use(subscriber, 20);
    await use(subscriber, 1, 'active_seconds');
    await watched(subscriber, 6);
    const sent = await notices(subscriber);
    expect(sent.map((row) => row.event_type)).toEqual([
      'onecommons.metering.quota.warning.v1',
      'onecommons.metering.quota.exceeded.v1',
    ]);
    expect(JSON.parse(sent[0]?.payload ?? '{}').data).toMatchObject({
      subscriberId: subscriber,
      period: periodOf(new Date()),
      meter: 'requests',
      plan: 'free',
      limit: '100',
      used: '80',
      thresholdPercent: 80,
    });
    expect(JSON.parse(sent[1]?.payload ?? '{}').data).toMatchObject({ thresholdPercent: 100, used: '105' });
  });
});

describe('the quota watcher on a chunk of usage', () => {
  it('announces each threshold crossed by the chunk’s subscribers once, however often they repeat (rolled back after)', async () => {
    const app = stack.meteringInProcess?.app;
    if (!app) throw new Error('metering runs in this process in this test');
    const period = periodOf(new Date());
    const [over, near, under] = [randomUUID(), randomUUID(), randomUUID()];
    const recorded = (subscriberId: string) =>
      createEvent(
        UsageRecordedV2,
        {
          recordingId: randomUUID(),
          subscribers: [
            { subscriberId, period, usage: [{ serviceId, meter: 'requests', quantity: '1', events: 1 }] },
          ],
          recordedAt: new Date().toISOString(),
        },
        { source: '/onecommons/metering' },
      );
    const chunk = [recorded(over), recorded(near), recorded(over), recorded(under), recorded(over)];
    const context = (manager: EntityManager) => ({
      manager,
      topic: UsageRecordedV2.topic,
      partition: 0,
      offsets: chunk.map((_, index) => String(index)),
      heartbeat: async () => undefined,
    });
    const rollback = new Error('rolled back');
    await expect(
      app.get(DataSource).transaction(async (manager) => {
        await manager.query(
          `INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
           SELECT $1, subscriber_id, $2, 'requests', quantity, 1 FROM unnest($3::uuid[], $4::numeric[]) AS u(subscriber_id, quantity)`,
          [period, serviceId, [over, near, under], ['120', '85', '10']],
        );
        const watcher = app.get(QuotaWatcher);
        await watcher.onUsageRecorded(chunk, context(manager));
        await watcher.onUsageRecorded(chunk, context(manager)); // the same chunk again announces nothing new
        const announced = (await manager.query(
          `SELECT message_key, event_type FROM outbox WHERE message_key = ANY($1::text[])
             AND event_type LIKE 'onecommons.metering.quota.%' ORDER BY id`,
          [[over, near, under]],
        )) as { message_key: string; event_type: string }[];
        expect(announced.map((row) => [row.message_key, row.event_type])).toEqual([
          [over, 'onecommons.metering.quota.warning.v1'],
          [over, 'onecommons.metering.quota.exceeded.v1'],
          [near, 'onecommons.metering.quota.warning.v1'],
        ]);
        throw rollback;
      }),
    ).rejects.toBe(rollback);
  });
});

describe('entitlements', () => {
  it('show the plan’s limits against usage, to the subscriber, its services and admins', async () => {
    const subscriber = await newSubscriber(stack);
    const stranger = await newSubscriber(stack);
    await use(subscriber.id, 30);
    const read = (credential: string, subscriberId = subscriber.id) =>
      json(`${stack.metering.url}/api/metering/v1/entitlements/${subscriberId}`, 'GET', { credential });
    const expected = {
      status: 200,
      body: {
        subscriber: subscriber.id,
        period: periodOf(new Date()),
        plan: 'free',
        meters: [{ meter: 'requests', limit: '100', used: '30', remaining: '70', exceeded: false }],
      },
    };
    expect(await read(subscriber.token)).toEqual(expected);
    expect(await read(apiKey)).toEqual(expected);
    expect(await read(stack.adminToken)).toEqual(expected);
    expect(await read(stranger.token)).toMatchObject({ status: 403 });
    expect(await read(subscriber.token, 'not-a-uuid')).toMatchObject({ status: 400 });
  });

  it('have no limits once the subscriber pays (from identity’s event)', async () => {
    const subscriber = await newSubscriber(stack);
    await use(subscriber.id, 150);
    const started = createEvent(
      SubscriptionStartedV1,
      {
        subscriber: subscriber.id,
        subscriptionId: randomUUID(),
        plan: 'premium',
        currency: 'EUR',
        amountMinor: '500',
        period: periodOf(new Date()),
        startedAt: new Date().toISOString(),
      },
      { source: '/onecommons/identity' },
    );
    await producer.send(TOPICS.identityEvents.name, subscriber.id, JSON.stringify(started));
    const premium = await eventually('metering sees the premium plan', async () => {
      const answer = await json<{ plan: string; meters: unknown[] }>(
        `${stack.metering.url}/api/metering/v1/entitlements/${subscriber.id}`,
        'GET',
        { credential: subscriber.token },
      );
      return answer.body.plan === 'premium' ? answer.body : undefined;
    });
    expect(premium.meters).toEqual([
      { meter: 'requests', limit: null, used: '150', remaining: null, exceeded: false },
    ]);
  });
});

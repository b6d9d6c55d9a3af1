import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf } from '@onecommons/contracts';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let subscribers: string[];

beforeAll(async () => {
  stack = await startMeteringStack();
  await defineMeters(stack, { requests: 1 });
  ({ serviceId, apiKey } = await newService(stack));
  subscribers = await newSubscriberIds(stack, 5);
});

/** A registered subscriber no other test uses. */
const freshSubscriber = () => subscribers.pop() as string;

afterAll(async () => {
  await stack.stop();
});

const base = () => ({
  specversion: '1.0',
  source: `/services/${serviceId}`,
  time: new Date().toISOString(),
});

const send = (body: unknown) =>
  json<Record<string, unknown>>(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential: apiKey,
    contentType: 'application/cloudevents+json',
    body,
  });

async function report(subscriber: string, quantity: number, time = new Date().toISOString()) {
  const event = {
    ...base(),
    id: randomUUID(),
    type: 'onecommons.usage.v1',
    subject: subscriber,
    time,
    data: { service: serviceId, meter: 'requests', quantity },
  };
  expect((await send(event)).status).toBe(202);
  return event;
}

const correct = (
  subscriber: string,
  original: { source: string; id: string },
  quantity: number | string,
) => ({
  ...base(),
  id: randomUUID(),
  type: 'onecommons.usage.correction.v1',
  subject: subscriber,
  data: {
    service: serviceId,
    meter: 'requests',
    quantity,
    corrects: { source: original.source, id: original.id },
  },
});

const usageOf = async (subscriber: string) =>
  (
    await stack.metering.query<{ quantity: string }>(
      'SELECT quantity::text FROM usage_aggregates WHERE subscriber_id = $1 AND period = $2',
      [subscriber, periodOf(new Date())],
    )
  )[0]?.quantity;

describe('usage corrections', () => {
  it('change the current period once, are announced, and name the corrected event', async () => {
    const subscriber = freshSubscriber();
    const original = await report(subscriber, 100);
    const fix = correct(subscriber, original, -30);
    expect(await send(fix)).toEqual({ status: 202, body: { status: 'accepted', id: fix.id } });
    expect(await send(fix)).toEqual({ status: 202, body: { status: 'duplicate', id: fix.id } });
    expect(await usageOf(subscriber)).toBe('70');
    const announced = await stack.metering.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE event_type = 'onecommons.metering.usage.corrected.v1' AND message_key = $1`,
      [subscriber],
    );
    expect(announced.map((row) => JSON.parse(row.payload).data)).toEqual([
      expect.objectContaining({
        delta: '-30',
        period: periodOf(new Date()),
        original: { source: original.source, id: original.id, period: periodOf(new Date()), quantity: '100' },
      }),
    ]);
  });

  it('cannot take an event below zero or a period’s usage negative, and changes nothing when refused', async () => {
    const subscriber = freshSubscriber();
    const original = await report(subscriber, 10);
    expect((await send(correct(subscriber, original, -6))).status).toBe(202);
    expect(await send(correct(subscriber, original, -5))).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_exceeds_original', field: 'data.quantity' } },
    });
    expect(await usageOf(subscriber)).toBe('4');

    // An event of an earlier period, corrected now: it comes off this period's usage, which is smaller.
    const other = freshSubscriber();
    const lastMonth = new Date();
    lastMonth.setUTCDate(0);
    const earlier = await stack.metering.query(
      `INSERT INTO usage_events (source, event_id, subscriber_id, service_id, meter, quantity, period, event_time)
       VALUES ($1, $2, $3, $4, 'requests', 50, $5, $6) RETURNING 1`,
      [
        `/services/${serviceId}`,
        randomUUID(),
        other,
        serviceId,
        periodOf(lastMonth),
        lastMonth.toISOString(),
      ],
    );
    expect(earlier).toHaveLength(1);
    const [row] = await stack.metering.query<{ event_id: string }>(
      'SELECT event_id FROM usage_events WHERE subscriber_id = $1',
      [other],
    );
    await report(other, 5);
    expect(
      await send(correct(other, { source: `/services/${serviceId}`, id: row?.event_id ?? '' }, -20)),
    ).toMatchObject({ status: 400, body: { error: { code: 'correction_exceeds_current_usage' } } });
    expect(await usageOf(other)).toBe('5');
  });

  it('must name an accepted event of the same subscriber, service and meter', async () => {
    const subscriber = freshSubscriber();
    const original = await report(subscriber, 10);
    expect(await send(correct(freshSubscriber(), original, -1))).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_original', field: 'data.corrects' } },
    });
    expect(
      await send(correct(subscriber, { source: original.source, id: 'no-such-event' }, -1)),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_original' } },
    });
  });
});

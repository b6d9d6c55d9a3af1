import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf } from '@onecommons/contracts';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriberIds,
  seedEarlierUsage,
  startMeteringStack,
  WIDE_CORRECTION_WINDOW,
} from './metering-stack.js';

/** An earlier period that no test closes (a close request reaches every metering the suite starts). */
const EARLIER = '2018-06';

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let subscribers: string[];

beforeAll(async () => {
  stack = await startMeteringStack(WIDE_CORRECTION_WINDOW);
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

const usageOf = async (subscriber: string, period = periodOf(new Date())) =>
  (
    await stack.metering.query<{ quantity: string }>(
      'SELECT quantity::text FROM usage_aggregates WHERE subscriber_id = $1 AND period = $2',
      [subscriber, period],
    )
  )[0]?.quantity;

describe('usage corrections', () => {
  it('change the corrected event’s period once, are announced, and name the corrected event', async () => {
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

  it('cannot take an event below zero, and change nothing when refused', async () => {
    const subscriber = freshSubscriber();
    const original = await report(subscriber, 10);
    expect((await send(correct(subscriber, original, -6))).status).toBe(202);
    expect(await send(correct(subscriber, original, -5))).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_exceeds_original', field: 'data.quantity' } },
    });
    expect(await usageOf(subscriber)).toBe('4');
  });

  it('go to the corrected event’s period while it is open, however small this period’s usage', async () => {
    const subscriber = freshSubscriber();
    const original = await seedEarlierUsage(stack, {
      period: EARLIER,
      subscriber,
      serviceId,
      meter: 'requests',
      quantity: 50,
    });
    await report(subscriber, 5);
    // More than this period's usage, within the original: before #19 this came off the current period (refused).
    const fix = correct(subscriber, original, -20);
    expect(await send(fix)).toEqual({ status: 202, body: { status: 'accepted', id: fix.id } });
    expect(await usageOf(subscriber)).toBe('5');
    expect(await usageOf(subscriber, EARLIER)).toBe('30');
    const announced = await stack.metering.query<{ event_type: string; payload: string }>(
      `SELECT event_type, payload FROM outbox
        WHERE message_key = $1 AND payload::jsonb #>> '{data,period}' = $2
           OR payload::jsonb -> 'data' -> 'subscribers'
                @> jsonb_build_array(jsonb_build_object('subscriberId', $1::text, 'period', $2::text))
        ORDER BY id`,
      [subscriber, EARLIER],
    );
    expect(announced.map((row) => [row.event_type, JSON.parse(row.payload).data])).toEqual([
      [
        'onecommons.metering.usage.recorded.v2',
        expect.objectContaining({
          subscribers: [
            {
              subscriberId: subscriber,
              period: EARLIER,
              usage: [{ serviceId, meter: 'requests', quantity: '-20', events: 0 }],
            },
          ],
        }),
      ],
      [
        'onecommons.metering.usage.corrected.v1',
        expect.objectContaining({
          delta: '-20',
          original: { ...original, period: EARLIER, quantity: '50' },
        }),
      ],
    ]);
    const [counted] = await stack.metering.query<{ announcements: string }>(
      'SELECT sum(announcements)::text AS announcements FROM period_announcements WHERE period = $1',
      [EARLIER],
    );
    expect(counted?.announcements).toBe('1'); // in that period's watermark
    expect(await send(correct(subscriber, original, -31))).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_exceeds_original' } },
    });
    expect(await usageOf(subscriber, EARLIER)).toBe('30');
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

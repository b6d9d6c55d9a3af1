import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf } from '@onecommons/contracts';
import { CloudEvent, CONSTANTS, emitterFor, HTTP, httpTransport, Mode } from 'cloudevents';
import fc from 'fast-check';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriber,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let otherServiceId: string;
let subscribers: string[];

beforeAll(async () => {
  stack = await startMeteringStack();
  await defineMeters(stack, { active_seconds: 1, requests: 1 });
  ({ serviceId, apiKey } = await newService(stack));
  ({ serviceId: otherServiceId } = await newService(stack));
  subscribers = await newSubscriberIds(stack, 8);
});

/** A registered subscriber no other test uses (usage is only taken for subscribers). */
const freshSubscriber = () => subscribers.pop() as string;

afterAll(async () => {
  await stack.stop();
});

const eventsUrl = () => `${stack.metering.url}/api/metering/v1/events`;

function usage(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: `/services/${serviceId}`,
    type: 'onecommons.usage.v1',
    // Refused events need no registered subscriber: every other rule is checked before that one.
    subject: (overrides['subject'] as string | undefined) ?? randomUUID(),
    time: new Date().toISOString(),
    ...overrides,
    data: { service: serviceId, meter: 'active_seconds', quantity: 60, ...data },
  };
}

const send = (body: unknown, contentType = SINGLE, credential: string = apiKey) =>
  json<Record<string, unknown>>(eventsUrl(), 'POST', { credential, body, contentType });

async function aggregate(
  subscriber: string,
  meter?: string,
): Promise<{ quantity: string; events: string }[]> {
  return stack.metering.query(
    'SELECT quantity::text, events::text FROM usage_aggregates WHERE subscriber_id = $1 AND ($2::text IS NULL OR meter = $2)',
    [subscriber, meter ?? null],
  );
}

describe('a single event', () => {
  it('is accepted once; a resend is a duplicate and counts nothing more', async () => {
    const event = usage({ subject: freshSubscriber() });
    expect(await send(event)).toEqual({ status: 202, body: { status: 'accepted', id: event.id } });
    expect(await send(event)).toEqual({ status: 202, body: { status: 'duplicate', id: event.id } });
    expect(await aggregate(event.subject)).toEqual([{ quantity: '60', events: '1' }]);
    const announced = await stack.metering.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE event_type = 'onecommons.metering.usage.recorded.v2'
          AND payload::jsonb -> 'data' -> 'subscribers' @> jsonb_build_array(jsonb_build_object('subscriberId', $1::text))`,
      [event.subject],
    );
    expect(announced.map((row) => JSON.parse(row.payload).data.subscribers)).toEqual([
      [
        {
          subscriberId: event.subject,
          period: periodOf(new Date()),
          usage: [{ serviceId, meter: 'active_seconds', quantity: '60', events: 1 }],
        },
      ],
    ]);
  });

  it.each([
    ['an unknown meter', () => usage({}, { meter: 'gigawatts' }), 400, 'unknown_meter', 'data.meter'],
    ['a negative quantity', () => usage({}, { quantity: -5 }), 400, 'invalid_quantity', 'data.quantity'],
    [
      'a time too far ahead',
      () => usage({ time: new Date(Date.now() + 10 * 60_000).toISOString() }),
      400,
      'time_in_future',
      'time',
    ],
    ['a closed period', () => usage({ time: '2020-01-15T00:00:00Z' }), 400, 'period_closed', 'time'],
    [
      'another service',
      () => usage({}, { service: randomUUID() }),
      403,
      'service_not_allowed',
      'data.service',
    ],
  ])(
    'with %s is refused, naming the field, and changes nothing',
    async (_label, makeEvent, status, code, field) => {
      const event = makeEvent();
      expect(await send(event)).toMatchObject({ status, body: { error: { code, field } } });
      expect(await aggregate(event.subject)).toEqual([]);
    },
  );

  it('needs a valid metering:write key of its service', async () => {
    expect((await send(usage(), SINGLE, '')).status).toBe(401);
    expect((await send(usage(), SINGLE, 'ock_0000000000000000000000000000000000000000')).status).toBe(401);
    expect((await send(usage(), SINGLE, stack.operatorToken)).status).toBe(401);
    // The key of the other service cannot report for this one.
    const other = usage({}, { service: otherServiceId });
    expect((await send(other)).status).toBe(403);
  });

  it('must come as CloudEvents JSON', async () => {
    expect(await send(usage(), 'application/json')).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported_media_type' } },
    });
    const broken = await json(eventsUrl(), 'POST', {
      credential: apiKey,
      contentType: SINGLE,
      rawBody: '{"specversion":',
    });
    expect(broken.status).toBe(400);
  });
});

describe('a batch', () => {
  it('answers per event and keeps the good ones', async () => {
    const subscriber = freshSubscriber();
    const good = usage({ subject: subscriber });
    const alsoGood = usage({ subject: subscriber }, { meter: 'requests', quantity: '12' });
    const batch = [
      good,
      usage({ subject: subscriber }, { quantity: 1.5 }),
      good,
      alsoGood,
      usage({ subject: subscriber }, { service: otherServiceId }),
    ];
    const answer = await send(batch, BATCH);
    expect(answer).toMatchObject({
      status: 200,
      body: {
        accepted: 2,
        duplicate: 1,
        rejected: 2,
        results: [
          { status: 'accepted', id: good.id },
          { status: 'rejected', code: 'invalid_quantity', field: 'data.quantity' },
          { status: 'duplicate', id: good.id },
          { status: 'accepted', id: alsoGood.id },
          { status: 'rejected', code: 'service_not_allowed' },
        ],
      },
    });
    const rows = await stack.metering.query<{ meter: string; quantity: string }>(
      'SELECT meter, quantity::text FROM usage_aggregates WHERE subscriber_id = $1 ORDER BY meter',
      [subscriber],
    );
    expect(rows).toEqual([
      { meter: 'active_seconds', quantity: '60' },
      { meter: 'requests', quantity: '12' },
    ]);
  });

  it('holds 1 to 1000 events', async () => {
    expect(await send([], BATCH)).toMatchObject({ status: 400, body: { error: { code: 'empty_batch' } } });
    expect(await send(usage(), BATCH)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_batch' } },
    });
    const tooMany = Array.from({ length: 1001 }, () => usage());
    expect(await send(tooMany, BATCH)).toMatchObject({
      status: 413,
      body: { error: { code: 'batch_too_large' } },
    });
    const huge = [usage({ id: 'x'.repeat(200) }, { meter: 'y'.repeat(1_100_000) })];
    expect((await send(huge, BATCH)).status).toBe(413);
  });

  it('counts arbitrary retries and duplicated batches exactly once (property)', async () => {
    // A few subscribers take turns (each run adds to one's aggregate), on a meter whose bound is far away.
    const runners = [freshSubscriber(), freshSubscriber(), freshSubscriber()];
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 6 }),
        async (quantities, deliveries) => {
          const subscriber = runners[run++ % runners.length] as string;
          const [before] = await aggregate(subscriber, 'requests');
          const events = quantities.map((quantity) =>
            usage({ subject: subscriber }, { meter: 'requests', quantity }),
          );
          // Every event is delivered at least once; then arbitrary batches of repeats, in any order.
          const batches = [
            events,
            ...deliveries.map((picks) => picks.map((pick) => events[pick % events.length])),
          ];
          await Promise.all(batches.map((batch) => send(batch, BATCH)));
          const [after] = await aggregate(subscriber, 'requests');
          const expected = quantities.reduce((sum, quantity) => sum + BigInt(quantity), 0n);
          return (
            BigInt(after?.quantity ?? '0') - BigInt(before?.quantity ?? '0') === expected &&
            Number(after?.events ?? 0) - Number(before?.events ?? 0) === quantities.length
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('fails loudly, counting nothing, rather than take an event for another that holds its digest', async () => {
    const subscriber = freshSubscriber();
    const event = usage({ subject: subscriber }, { meter: 'requests', quantity: 7 });
    // No two real identities are known to share a digest: a stored row is given this event's digest instead.
    await stack.metering.query(
      `INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period,
                                 event_time)
       VALUES (usage_event_digest($1, $2, $3), $2, 'another-event', $4, $1, 'requests', 1, $5, now())`,
      [serviceId, event.source, event.id, subscriber, periodOf(new Date())],
    );
    expect((await send(event)).status).toBe(500);
    expect(await aggregate(subscriber)).toEqual([]);
  });
});

describe("the cloudevents SDK's emitters", () => {
  const sdkUsage = (
    subject: string,
    data: Record<string, unknown> = {},
    overrides: Record<string, unknown> = {},
  ) => new CloudEvent(usage({ subject, ...overrides }, data));
  /** The SDK's HTTP transport answers with the response's body (a string) and headers, not its status. */
  const answerOf = (response: unknown) =>
    JSON.parse((response as { body: string }).body) as Record<string, unknown>;
  const authorized = () => ({ headers: { authorization: `Bearer ${apiKey}` } });
  const emitterIn = (mode: Mode) => async (event: CloudEvent<unknown>) =>
    answerOf(await emitterFor(httpTransport(eventsUrl()), { mode })(event, authorized()));
  const emitBinary = emitterIn(Mode.BINARY);
  const emitStructured = emitterIn(Mode.STRUCTURED);
  // The SDK's emitters send one event each (v10 has Mode.BATCH for receiving only): a batch goes through its transport.
  const emitBatch = async (events: CloudEvent<unknown>[]) =>
    answerOf(
      await httpTransport(eventsUrl())(
        { headers: { 'content-type': CONSTANTS.MIME_CE_BATCH }, body: JSON.stringify(events) },
        authorized(),
      ),
    );

  it('are accepted in every content mode, each event counted once whichever mode resends it', async () => {
    const subscriber = freshSubscriber();
    const [binary, structured, batched, alsoBatched] = [5, 6, 7, 8].map((quantity) =>
      sdkUsage(subscriber, { quantity }),
    ) as [CloudEvent<unknown>, CloudEvent<unknown>, CloudEvent<unknown>, CloudEvent<unknown>];
    expect(await emitBinary(binary)).toEqual({ status: 'accepted', id: binary.id });
    expect(await emitStructured(structured)).toEqual({ status: 'accepted', id: structured.id });
    expect(await emitBatch([batched, alsoBatched])).toEqual({
      accepted: 2,
      duplicate: 0,
      rejected: 0,
      results: [
        { status: 'accepted', id: batched.id },
        { status: 'accepted', id: alsoBatched.id },
      ],
    });
    expect(await emitStructured(binary)).toEqual({ status: 'duplicate', id: binary.id });
    expect(await emitBinary(structured)).toEqual({ status: 'duplicate', id: structured.id });
    expect(await emitBinary(batched)).toEqual({ status: 'duplicate', id: batched.id });
    expect(await emitBatch([binary, structured])).toMatchObject({ accepted: 0, duplicate: 2 });
    expect(await aggregate(subscriber)).toEqual([{ quantity: '26', events: '4' }]);
  });

  it.each([
    ['a subject that is no UUID', () => sdkUsage('alice'), 'invalid_attribute', 'subject'],
    [
      'another type',
      () => sdkUsage(randomUUID(), {}, { type: 'com.example.usage' }),
      'unsupported_type',
      'type',
    ],
    [
      'a negative quantity',
      () => sdkUsage(randomUUID(), { quantity: -5 }),
      'invalid_quantity',
      'data.quantity',
    ],
  ])(
    'have a binary event with %s refused as a structured one is, naming the same field',
    async (_label, makeEvent, code, field) => {
      const event = makeEvent();
      const structured = await emitStructured(event);
      expect(structured).toMatchObject({ error: { code, field } });
      const binary = await emitBinary(event);
      expect(binary).toMatchObject({
        error: { code, field, message: (structured['error'] as { message: string }).message },
      });
      const { headers, body } = HTTP.binary(event);
      const refused = await fetch(eventsUrl(), {
        method: 'POST',
        headers: { ...(headers as Record<string, string>), authorization: `Bearer ${apiKey}` },
        body: body as string,
      });
      expect(refused.status).toBe(400);
    },
  );
});

describe('usage', () => {
  it('is read by the subscriber, by the operator of the service, and by admins only', async () => {
    const subscriber = await newSubscriber(stack);
    const stranger = await newSubscriber(stack);
    expect((await send(usage({ subject: subscriber.id }, { quantity: 30 }))).status).toBe(202);
    const read = (credential: string, query = `subscriber=${subscriber.id}`) =>
      json<{ items: unknown[] }>(`${stack.metering.url}/api/metering/v1/usage?${query}`, 'GET', {
        credential,
      });
    const expected = {
      status: 200,
      body: { items: [{ service: serviceId, meter: 'active_seconds', quantity: '30' }] },
    };
    expect(await read(subscriber.token)).toEqual(expected);
    expect(await read(stack.operatorToken)).toEqual(expected);
    expect(
      await read(
        stack.adminToken,
        `subscriber=${subscriber.id}&period=${periodOf(new Date())}&service=${serviceId}`,
      ),
    ).toEqual(expected);
    // Another subscriber sees nothing of it.
    expect(await read(stranger.token)).toEqual({ status: 200, body: { items: [] } });
    expect((await read(stack.adminToken, 'subscriber=not-a-uuid')).status).toBe(400);
    expect((await read(stack.adminToken, `subscriber=${subscriber.id}&period=2026-13`)).status).toBe(400);
    expect((await read('')).status).toBe(401);
  });
});

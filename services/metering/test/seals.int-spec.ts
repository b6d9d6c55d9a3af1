import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, PeriodClosedV1, PeriodCloseRequestedV1, periodOf, TOPICS } from '@onecommons/contracts';
import { consumerCaughtUp, eventually, RawProducer, TopicProbe } from '@onecommons/testing';
import { DataSource } from 'typeorm';
import { PeriodSealer } from '../src/periods/period-sealer.js';
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

// docs/trust-rules.md: a close holds everything metering acknowledged for its period. Metering seals a period when the
// ledger asks to close it and publishes its watermark (how many UsageRecorded it announced for the period);
// usage for a sealed period is refused, corrections of it are announced apart.
//
// Every metering the suite starts reads the ledger's topic from its beginning, so a close request published
// there for the current period would seal it in all of them (and fail their usage): this file publishes
// requests only for periods no other file uses, and seals the current period in its own metering alone, through
// the same handler (`sealHere`).

interface UsageLine {
  readonly quantity: string;
  readonly events: number;
}

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';
const RECORDED = 'onecommons.metering.usage.recorded.v2';
const SEALED = 'onecommons.metering.usage.period-sealed.v1';
const CLOSED_CORRECTED = 'onecommons.metering.usage.closed-period-corrected.v1';
const EARLIER = '2019-03';
const UNUSED = '2019-04';
const STILL_OPEN = '2019-05';

let stack: MeteringStack;
let serviceId: string;
let apiKey: string;
let subscribers: string[];
let boundedMeter: string;
let probe: TopicProbe;
let producer: RawProducer;

beforeAll(async () => {
  stack = await startMeteringStack(WIDE_CORRECTION_WINDOW);
  await defineMeters(stack, { requests: 1 });
  boundedMeter = `calls_${randomUUID().slice(0, 8)}`;
  const defined = await json(`${stack.catalog.url}/api/catalog/v1/meters/${boundedMeter}`, 'PUT', {
    credential: stack.adminToken,
    body: { weight: 1, unit: 'call', bound: { per: 'period', max: '100' } },
  });
  expect(defined.status).toBe(200);
  await eventually('metering knows the bounded meter', async () =>
    (await stack.metering.query('SELECT 1 FROM meters WHERE name = $1', [boundedMeter])).length > 0
      ? true
      : undefined,
  );
  ({ serviceId, apiKey } = await newService(stack));
  subscribers = await newSubscriberIds(stack, 24);
  probe = await TopicProbe.start([TOPICS.meteringUsage.name]);
  producer = await RawProducer.connect();
});

afterAll(async () => {
  await producer?.stop();
  await probe?.stop();
  await stack?.stop();
});

/** Registered subscribers no other test uses. */
const take = (count: number) => subscribers.splice(0, count);

const usage = (subscriber: string, quantity = 1, time = new Date().toISOString()) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: `/services/${serviceId}`,
  type: 'onecommons.usage.v1',
  subject: subscriber,
  time,
  data: { service: serviceId, meter: 'requests', quantity },
});

const correction = (
  subscriber: string,
  original: { source: string; id: string },
  quantity: number,
  meter = 'requests',
) => ({
  ...usage(subscriber),
  type: 'onecommons.usage.correction.v1',
  data: { service: serviceId, meter, quantity, corrects: original },
});

const send = (body: unknown, contentType = SINGLE) =>
  json<Record<string, unknown>>(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential: apiKey,
    contentType,
    body,
  });

async function publishToLedgerTopic(event: { subject: string }): Promise<void> {
  await producer.send(TOPICS.ledgerEvents.name, event.subject, JSON.stringify(event));
}

const requestClose = (period: string) =>
  publishToLedgerTopic(
    createEvent(
      PeriodCloseRequestedV1,
      { period, forced: false, requestedAt: new Date().toISOString() },
      { source: '/onecommons/ledger' },
    ),
  );

const announceClosed = (period: string) =>
  publishToLedgerTopic(
    createEvent(
      PeriodClosedV1,
      {
        period,
        total: '0',
        merkleRoot: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        accounts: 0,
        subscribers: 0,
        closedAt: new Date().toISOString(),
      },
      { source: '/onecommons/ledger' },
    ),
  );

/** Seals a period in this file's metering only, as its consumer does on a PeriodCloseRequested. */
async function sealHere(period: string): Promise<void> {
  const app = stack.meteringInProcess?.app;
  if (!app) throw new Error('metering runs in this process');
  const request = createEvent(
    PeriodCloseRequestedV1,
    { period, forced: true, requestedAt: new Date().toISOString() },
    { source: '/onecommons/ledger' },
  );
  await app.get(DataSource).transaction((manager) =>
    app.get(PeriodSealer).onCloseRequested(request, {
      manager,
      topic: TOPICS.ledgerEvents.name,
      partition: 0,
      offset: '0',
      receivedType: request.type,
      heartbeat: async () => undefined,
    }),
  );
}

/** What this file's metering published of a type for a period (its outbox: other meterings share the topic). */
async function published(
  type: string,
  period: string,
): Promise<{ id: string; data: Record<string, unknown> }[]> {
  const rows = await stack.metering.query<{ event_id: string; payload: string }>(
    `SELECT event_id, payload FROM outbox
      WHERE event_type = $1
        AND (payload::jsonb #>> '{data,period}' = $2
             OR payload::jsonb -> 'data' -> 'subscribers' @> jsonb_build_array(jsonb_build_object('period', $2::text)))
      ORDER BY id`,
    [type, period],
  );
  return rows.map((row) => ({ id: row.event_id, data: JSON.parse(row.payload).data }));
}

const sealOf = (period: string) =>
  eventually(`metering to seal ${period}`, async () => {
    const [seal] = await stack.metering.query<{ announcements: string; reason: string }>(
      'SELECT announcements::text, reason FROM period_seals WHERE period = $1',
      [period],
    );
    return seal;
  });

const countedFor = async (period: string) =>
  (
    await stack.metering.query<{ count: string }>(
      'SELECT coalesce(sum(announcements), 0)::text AS count FROM period_announcements WHERE period = $1',
      [period],
    )
  )[0]?.count;

const onTopic = (ids: readonly string[]) =>
  eventually('the events on the topic', async () =>
    ids.every((id) => probe.messages.some((message) => message.eventId === id)) ? true : undefined,
  );

const meteringCaughtUpWithLedger = () =>
  eventually('metering to consume the ledger topic', async () =>
    (await consumerCaughtUp(stack.meteringInProcess?.consumerGroup ?? '', [TOPICS.ledgerEvents.name]))
      ? true
      : undefined,
  );

describe('an earlier period', () => {
  let first: { source: string; id: string };
  let firstSubscriber: string;

  it('is sealed on the ledger’s request with the number of UsageRecorded announced for it, corrections included', async () => {
    const [s1, s2] = take(2) as [string, string];
    firstSubscriber = s1;
    first = await seedEarlierUsage(stack, {
      period: EARLIER,
      subscriber: s1,
      serviceId,
      meter: 'requests',
      quantity: 40,
    });
    const second = await seedEarlierUsage(stack, {
      period: EARLIER,
      subscriber: s2,
      serviceId,
      meter: 'requests',
      quantity: 10,
    });
    // Corrections of the (still open) earlier period count in it; usage now counts in the current period.
    expect((await send(correction(s1, first, -5))).status).toBe(202);
    expect(
      await send([correction(s1, first, 3), correction(s2, second, -10), usage(s1), usage(s2)], BATCH),
    ).toMatchObject({ status: 200, body: { accepted: 4 } });
    const recorded = await published(RECORDED, EARLIER);
    expect(recorded).toHaveLength(3);
    expect(await countedFor(EARLIER)).toBe('3');
    expect(await countedFor(periodOf(new Date()))).toBe(
      String((await published(RECORDED, periodOf(new Date()))).length),
    );

    await requestClose(EARLIER);
    expect(await sealOf(EARLIER)).toEqual({ announcements: '3', reason: 'close_requested' });
    const [watermark] = await published(SEALED, EARLIER);
    expect(watermark?.data).toEqual({
      period: EARLIER,
      announcements: '3',
      reason: 'close_requested',
      sealedAt: expect.any(String),
    });
    await onTopic([...recorded.map((event) => event.id), watermark?.id ?? '']);
  });

  it('publishes the same watermark again on a repeated request; the ledger’s close seals nothing new', async () => {
    await requestClose(EARLIER);
    const watermarks = await eventually('the watermark published again', async () => {
      const all = await published(SEALED, EARLIER);
      return all.length === 2 ? all : undefined;
    });
    expect(watermarks[1]?.data).toEqual(watermarks[0]?.data);
    await onTopic([watermarks[1]?.id ?? '']);
    await announceClosed(EARLIER);
    await meteringCaughtUpWithLedger();
    expect(await published(SEALED, EARLIER)).toHaveLength(2);
  });

  it('refuses new usage but answers a resend of an event counted before as a duplicate', async () => {
    const resend = { ...usage(firstSubscriber, 40, `${EARLIER}-10T12:00:00Z`), ...first };
    expect(await send(resend)).toEqual({ status: 202, body: { status: 'duplicate', id: first.id } });
    expect(await send(usage(firstSubscriber, 1, `${EARLIER}-10T12:00:00Z`))).toMatchObject({
      status: 400,
      body: { error: { code: 'period_closed', field: 'time' } },
    });
  });

  it('takes a correction after its seal as a ClosedPeriodUsageCorrected, outside its watermark', async () => {
    const fix = correction(firstSubscriber, first, -8);
    expect(await send(fix)).toEqual({ status: 202, body: { status: 'accepted', id: fix.id } });
    expect(await send(fix)).toEqual({ status: 202, body: { status: 'duplicate', id: fix.id } });
    expect(await published(RECORDED, EARLIER)).toHaveLength(3);
    const adjustments = await published(CLOSED_CORRECTED, EARLIER);
    expect(adjustments.map((event) => event.data)).toEqual([
      {
        subscriberId: firstSubscriber,
        period: EARLIER,
        serviceId,
        meter: 'requests',
        delta: '-8',
        correction: { source: fix.source, id: fix.id },
        original: { ...first, quantity: '40' },
        correctedAt: expect.any(String),
      },
    ]);
    await onTopic(adjustments.map((event) => event.id));
    expect(
      await stack.metering.query(
        'SELECT period, applied_after_seal FROM usage_corrections WHERE service_id = $1 AND event_id = $2',
        [serviceId, fix.id],
      ),
    ).toEqual([{ period: EARLIER, applied_after_seal: true }]);
    // The sealed aggregate stays what the watermark covers (40 - 5 + 3).
    expect(
      await stack.metering.query(
        'SELECT quantity::text FROM usage_aggregates WHERE period = $1 AND subscriber_id = $2',
        [EARLIER, firstSubscriber],
      ),
    ).toEqual([{ quantity: '38' }]);
    // The event counts 30 with every correction: never below zero.
    expect(await send(correction(firstSubscriber, first, -31))).toMatchObject({
      status: 400,
      body: { error: { code: 'correction_exceeds_original', field: 'data.quantity' } },
    });
    expect(await sealOf(EARLIER)).toEqual({ announcements: '3', reason: 'close_requested' });
  });

  it('keeps its meter’s bound for positive corrections after the seal', async () => {
    const [subscriber] = take(1) as [string];
    const original = await seedEarlierUsage(stack, {
      period: EARLIER,
      subscriber,
      serviceId,
      meter: boundedMeter,
      quantity: 90,
    });
    expect(await send(correction(subscriber, original, 11, boundedMeter))).toMatchObject({
      status: 400,
      body: { error: { code: 'implausible_quantity', field: 'data.quantity' } },
    });
    expect((await send(correction(subscriber, original, 10, boundedMeter))).status).toBe(202);
    // The corrections after the seal count towards the bound as well.
    expect(await send(correction(subscriber, original, 1, boundedMeter))).toMatchObject({
      status: 400,
      body: { error: { code: 'implausible_quantity' } },
    });
  });
});

describe('a period without usage', () => {
  it('is sealed with 0 announcements, also when the ledger only announces its close', async () => {
    await announceClosed(UNUSED);
    expect(await sealOf(UNUSED)).toEqual({ announcements: '0', reason: 'period_closed' });
    const watermarks = await published(SEALED, UNUSED);
    expect(watermarks.map((event) => event.data)).toEqual([
      { period: UNUSED, announcements: '0', reason: 'period_closed', sealedAt: expect.any(String) },
    ]);
  });
});

interface Answer {
  readonly status: string;
  readonly code?: string;
  readonly quantity: number;
}

describe('the current period', () => {
  const current = periodOf(new Date());
  const countedBefore: ReturnType<typeof usage>[] = [];

  /** Request number `request`: alternately a single event and a batch of 5, for the subscribers in turn. */
  async function sendRequest(racers: readonly string[], request: number): Promise<Answer[]> {
    const events = Array.from({ length: request % 2 === 0 ? 1 : 5 }, (_, index) =>
      usage(racers[(request + index) % racers.length] as string, 1 + ((request + index) % 4)),
    );
    const answers = async () => {
      if (events.length === 1) {
        const [event] = events as [ReturnType<typeof usage>];
        const { status, body } = await send(event);
        return [
          status === 202
            ? { status: String(body['status']) }
            : { status: `rejected ${status}`, code: (body['error'] as { code: string }).code },
        ];
      }
      const { status, body } = await send(events, BATCH);
      expect(status).toBe(200);
      return body['results'] as { status: string; code?: string }[];
    };
    return (await answers()).map((answer, index) => {
      const event = events[index] as ReturnType<typeof usage>;
      if (answer.status === 'accepted') countedBefore.push(event);
      return { ...answer, quantity: event.data.quantity };
    });
  }

  const wave = async (racers: readonly string[], requests: number) =>
    (
      await Promise.all(Array.from({ length: requests }, (_, request) => sendRequest(racers, request)))
    ).flat();

  /**
   * Senders sending back to back; once `sealAfter` events were accepted, the period is sealed while they go on.
   * Each stops at its first refusal (bounded, should the seal never come).
   */
  async function race(racers: readonly string[], senders: number, sealAfter: number): Promise<Answer[]> {
    const answers: Answer[] = [];
    let sealing: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: senders }, async (_, sender) => {
        for (let request = sender; request < 2_000; request += senders) {
          const answered = await sendRequest(racers, request);
          answers.push(...answered);
          if (!sealing && answers.filter((answer) => answer.status === 'accepted').length >= sealAfter)
            sealing = sealHere(current);
          if (answered.some((answer) => answer.code === 'period_closed')) return;
        }
      }),
    );
    await sealing;
    return answers;
  }

  it('is sealed while usage races it: every event accepted is in its watermark, every other refused', async () => {
    const racers = take(16);
    const before = await wave(racers, 10);
    expect(before.every((answer) => answer.status === 'accepted')).toBe(true);
    const during = await race(racers, 8, 40);
    const after = await wave(racers, 6);
    expect(after.every((answer) => answer.code === 'period_closed')).toBe(true);
    expect(after.filter((answer) => answer.status === 'rejected 400')).toHaveLength(3); // the single events
    for (const answer of during)
      expect(answer.status === 'accepted' || answer.code === 'period_closed').toBe(true);

    const seal = await sealOf(current);
    const recorded = await published(RECORDED, current);
    expect(seal.announcements).toBe(String(recorded.length));
    // On the topic: as many UsageRecorded for the period as the watermark says, and every accepted event in them.
    const ids = new Set(recorded.map((event) => event.id));
    await onTopic([...ids]);
    const announced = new Map(
      probe
        .matching((message) => message.eventId !== undefined && ids.has(message.eventId))
        .map((message) => [message.eventId, JSON.parse(message.value ?? '{}').data]),
    );
    expect(announced.size).toBe(Number(seal.announcements));
    const mine = new Set(racers);
    const racersUsage = [...announced.values()]
      .flatMap(
        (data: { subscribers: { subscriberId: string; period: string; usage: UsageLine[] }[] }) =>
          data.subscribers,
      )
      .filter((subscriber) => subscriber.period === current && mine.has(subscriber.subscriberId))
      .flatMap((subscriber) => subscriber.usage);
    const accepted = [...before, ...during].filter((answer) => answer.status === 'accepted');
    expect(racersUsage.reduce((sum, row) => sum + row.events, 0)).toBe(accepted.length);
    expect(racersUsage.reduce((sum, row) => sum + Number(row.quantity), 0)).toBe(
      accepted.reduce((sum, answer) => sum + answer.quantity, 0),
    );
  });

  it('answers a resend of an event counted before the seal as a duplicate, anything new with 400 period_closed', async () => {
    const counted = countedBefore[0] as ReturnType<typeof usage>;
    expect(await send(counted)).toEqual({ status: 202, body: { status: 'duplicate', id: counted.id } });
    expect(await send(usage(counted.subject))).toMatchObject({
      status: 400,
      body: { error: { code: 'period_closed', field: 'time' } },
    });
  });

  it('leaves a batch its other events: a duplicate, and corrections of an open and of the sealed period', async () => {
    const [subscriber] = take(1) as [string];
    const counted = countedBefore[1] as ReturnType<typeof usage>;
    const open = await seedEarlierUsage(stack, {
      period: STILL_OPEN,
      subscriber,
      serviceId,
      meter: 'requests',
      quantity: 7,
    });
    const late = usage(subscriber);
    const batch = [
      late,
      counted,
      correction(subscriber, open, 2),
      correction(counted.subject, counted, -counted.data.quantity),
    ];
    expect(await send(batch, BATCH)).toMatchObject({
      status: 200,
      body: {
        accepted: 2,
        duplicate: 1,
        rejected: 1,
        results: [
          { status: 'rejected', id: late.id, code: 'period_closed', field: 'time', retryable: false },
          { status: 'duplicate', id: counted.id },
          { status: 'accepted', id: batch[2]?.id },
          { status: 'accepted', id: batch[3]?.id },
        ],
      },
    });
    expect(await published(RECORDED, STILL_OPEN)).toHaveLength(1);
    expect((await published(CLOSED_CORRECTED, current)).map((event) => event.data['delta'])).toEqual([
      String(-counted.data.quantity),
    ]);
    expect(await sealOf(current)).toEqual({
      announcements: String((await published(RECORDED, current)).length),
      reason: 'close_requested',
    });
  });
});

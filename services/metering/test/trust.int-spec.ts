import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createEvent,
  periodEnd,
  periodOf,
  periodStart,
  ServiceUpdatedV1,
  TOPICS,
} from '@onecommons/contracts';
import { eventually, RawProducer } from '@onecommons/testing';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

// Issue #18, metering's side: nobody steers another party's money through usage.

const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

let stack: MeteringStack;
let producer: RawProducer;
let mine: { serviceId: string; apiKey: string };
let theirs: { serviceId: string; apiKey: string };
let subscribers: string[];

beforeAll(async () => {
  stack = await startMeteringStack();
  producer = await RawProducer.connect();
  await defineMeters(stack, { active_seconds: 1, requests: 1 });
  mine = await newService(stack);
  theirs = await newService(stack);
  subscribers = await newSubscriberIds(stack, 14);
});

afterAll(async () => {
  await producer.stop();
  await stack.stop();
});

const freshSubscriber = () => subscribers.pop() as string;

function usage(
  service: { serviceId: string },
  subject: string,
  data: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/usage',
    type: 'onecommons.usage.v1',
    subject,
    time: new Date().toISOString(),
    ...overrides,
    data: { service: service.serviceId, meter: 'active_seconds', quantity: 60, ...data },
  };
}

const send = (key: string, body: unknown, contentType = SINGLE) =>
  json<Record<string, unknown>>(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential: key,
    body,
    contentType,
  });

const counted = (subscriber: string) =>
  stack.metering.query<{ service_id: string; meter: string; quantity: string; events: string }>(
    `SELECT service_id, meter, quantity::text, events::text FROM usage_aggregates WHERE subscriber_id = $1
      ORDER BY service_id, meter`,
    [subscriber],
  );

const secondsOf = (period: string) => (periodEnd(period).getTime() - periodStart(period).getTime()) / 1_000;

/** Catalog announces a change of the service (another operator, another status), as a ServiceUpdated would. */
async function serviceChanged(
  serviceId: string,
  change: { operatorId?: string; status?: 'active' | 'suspended' },
) {
  const [current] = await stack.metering.query<{ operator_id: string; status: 'active' | 'suspended' }>(
    'SELECT operator_id, status FROM services WHERE service_id = $1',
    [serviceId],
  );
  const state = {
    serviceId,
    operatorId: change.operatorId ?? (current?.operator_id as string),
    appId: randomUUID(),
    projectId: null,
    type: 'web',
    domain: 'changed.example.org',
    providerBps: null,
    developerBps: null,
    status: change.status ?? (current?.status as 'active'),
  };
  const event = createEvent(ServiceUpdatedV1, state, { source: '/onecommons/catalog' });
  await producer.send(TOPICS.catalogEvents.name, serviceId, JSON.stringify(event));
  await eventually('metering sees the change', async () => {
    const [row] = await stack.metering.query<{ operator_id: string; status: string }>(
      'SELECT operator_id, status FROM services WHERE service_id = $1',
      [serviceId],
    );
    return row?.operator_id === state.operatorId && row.status === state.status ? true : undefined;
  });
}

describe("the key's service", () => {
  it('must be operated by the key’s organization, else every event is refused (403 service_not_operated)', async () => {
    const service = await newService(stack);
    const subscriber = freshSubscriber();
    await serviceChanged(service.serviceId, { operatorId: randomUUID() });
    expect(await send(service.apiKey, usage(service, subscriber))).toMatchObject({
      status: 403,
      body: { error: { code: 'service_not_operated', field: 'data.service' } },
    });
    expect(await send(service.apiKey, [usage(service, subscriber)], BATCH)).toMatchObject({
      status: 200,
      body: { accepted: 0, rejected: 1, results: [{ code: 'service_not_operated', retryable: false }] },
    });
    expect(await counted(subscriber)).toEqual([]);
  });

  it('must be active (403 service_inactive)', async () => {
    const service = await newService(stack);
    const subscriber = freshSubscriber();
    await serviceChanged(service.serviceId, { status: 'suspended' });
    expect(await send(service.apiKey, usage(service, subscriber))).toMatchObject({
      status: 403,
      body: { error: { code: 'service_inactive', field: 'data.service' } },
    });
    expect(await counted(subscriber)).toEqual([]);
  });

  it('not known to metering yet is a retryable refusal (409 unknown_service, Retry-After)', async () => {
    const service = await newService(stack);
    const subscriber = freshSubscriber();
    // Catalog's ServiceCreated not applied yet: as right after the service was made.
    const [row] = await stack.metering.query<{ operator_id: string; status: string }>(
      'DELETE FROM services WHERE service_id = $1 RETURNING operator_id, status',
      [service.serviceId],
    );
    const event = usage(service, subscriber);
    const refused = await fetch(`${stack.metering.url}/api/metering/v1/events`, {
      method: 'POST',
      headers: { 'content-type': SINGLE, authorization: `Bearer ${service.apiKey}` },
      body: JSON.stringify(event),
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ error: { code: 'unknown_service', field: 'data.service' } });
    await stack.metering.query('INSERT INTO services (service_id, operator_id, status) VALUES ($1, $2, $3)', [
      service.serviceId,
      row?.operator_id,
      row?.status,
    ]);
    expect(await send(service.apiKey, event)).toMatchObject({ status: 202, body: { status: 'accepted' } });
  });
});

describe('event identity', () => {
  it('is per service: another service reusing a source and id neither shadows the event nor learns of it', async () => {
    const subscriber = freshSubscriber();
    const real = usage(mine, subscriber, { quantity: 100 });
    // The other service sends first, with the same source and id: it is its own event, counted for it.
    const shadow = { ...real, data: { ...real.data, service: theirs.serviceId, quantity: 7 } };
    expect(await send(theirs.apiKey, shadow)).toEqual({
      status: 202,
      body: { status: 'accepted', id: real.id },
    });
    expect(await send(mine.apiKey, real)).toEqual({ status: 202, body: { status: 'accepted', id: real.id } });
    // A real resend is a duplicate for its own service only.
    expect(await send(mine.apiKey, real)).toEqual({
      status: 202,
      body: { status: 'duplicate', id: real.id },
    });
    expect(await send(theirs.apiKey, shadow)).toEqual({
      status: 202,
      body: { status: 'duplicate', id: real.id },
    });
    expect(await counted(subscriber)).toEqual(
      [
        { service_id: mine.serviceId, meter: 'active_seconds', quantity: '100', events: '1' },
        { service_id: theirs.serviceId, meter: 'active_seconds', quantity: '7', events: '1' },
      ].sort((a, b) => (a.service_id < b.service_id ? -1 : 1)),
    );
  });

  it('keeps a service from correcting another service’s event', async () => {
    const subscriber = freshSubscriber();
    const real = usage(mine, subscriber, { meter: 'requests', quantity: 50 });
    expect((await send(mine.apiKey, real)).status).toBe(202);
    const correction = {
      ...usage(theirs, subscriber, { meter: 'requests', quantity: -50 }),
      type: 'onecommons.usage.correction.v1',
    };
    const forged = {
      ...correction,
      data: { ...correction.data, corrects: { source: real.source, id: real.id } },
    };
    expect(await send(theirs.apiKey, forged)).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_original', field: 'data.corrects' } },
    });
    expect(await counted(subscriber)).toEqual([
      { service_id: mine.serviceId, meter: 'requests', quantity: '50', events: '1' },
    ]);
  });
});

describe('plausible usage', () => {
  const period = periodOf(new Date());
  const periodSeconds = secondsOf(period);

  it('refuses absurd single quantities and seconds beyond the period’s (400 implausible_quantity)', async () => {
    const subscriber = freshSubscriber();
    for (const quantity of ['1000000000000000', periodSeconds + 1])
      expect(await send(mine.apiKey, usage(mine, subscriber, { quantity }))).toMatchObject({
        status: 400,
        body: { error: { code: 'implausible_quantity', field: 'data.quantity' } },
      });
    expect(await counted(subscriber)).toEqual([]);
  });

  it('refuses, per event, what would take a period’s aggregate beyond the bound; never clamps', async () => {
    const subscriber = freshSubscriber();
    const most = periodSeconds - 100;
    expect((await send(mine.apiKey, usage(mine, subscriber, { quantity: most }))).status).toBe(202);
    const [fits, tooMuch, fitsAfter] = [60, 41, 40].map((quantity) => usage(mine, subscriber, { quantity }));
    expect(await send(mine.apiKey, [fits, tooMuch, fitsAfter, tooMuch], BATCH)).toMatchObject({
      status: 200,
      body: {
        accepted: 2,
        rejected: 2,
        results: [
          { status: 'accepted', id: fits?.id },
          { status: 'rejected', id: tooMuch?.id, code: 'implausible_quantity', field: 'data.quantity' },
          { status: 'accepted', id: fitsAfter?.id },
          { status: 'rejected', id: tooMuch?.id, code: 'implausible_quantity', retryable: false },
        ],
      },
    });
    expect(await counted(subscriber)).toEqual([
      { service_id: mine.serviceId, meter: 'active_seconds', quantity: String(periodSeconds), events: '3' },
    ]);
    // Full: even one more second is refused; the same amount for another service is its own aggregate.
    expect(await send(mine.apiKey, usage(mine, subscriber, { quantity: 1 }))).toMatchObject({
      status: 400,
      body: { error: { code: 'implausible_quantity' } },
    });
    expect((await send(theirs.apiKey, usage(theirs, subscriber, { quantity: 1 }))).status).toBe(202);
  });

  it('lets at most what fits through concurrent requests for one aggregate', async () => {
    const subscriber = freshSubscriber();
    const third = Math.floor(periodSeconds / 3) + 1;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => send(mine.apiKey, usage(mine, subscriber, { quantity: third }))),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(2);
    expect(answers.filter((answer) => answer.status === 400)).toHaveLength(6);
    expect(await counted(subscriber)).toEqual([
      { service_id: mine.serviceId, meter: 'active_seconds', quantity: String(2 * third), events: '2' },
    ]);
  });

  it('follows the bound catalog declares for a meter, corrections included', async () => {
    const meter = `uploads_${randomUUID().slice(0, 8)}`;
    const catalogMeter = `${stack.catalog.url}/api/catalog/v1/meters/${meter}`;
    expect(
      await json(catalogMeter, 'PUT', {
        credential: stack.adminToken,
        body: { weight: 1, unit: 'second', bound: { per: 'period', max: '100' } },
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'implausible_bound', field: 'bound' } } });
    expect(
      await json(catalogMeter, 'PUT', {
        credential: stack.adminToken,
        body: { weight: 1, unit: 'upload', bound: { per: 'period', max: '100' } },
      }),
    ).toMatchObject({ status: 200, body: { unit: 'upload', bound: { per: 'period', max: '100' } } });
    await eventually('metering knows the bound', async () => {
      const [row] = await stack.metering.query<{ bound_max: string }>(
        'SELECT bound_max::text FROM meters WHERE name = $1',
        [meter],
      );
      return row?.bound_max === '100' ? true : undefined;
    });
    const subscriber = freshSubscriber();
    const first = usage(mine, subscriber, { meter, quantity: 90 });
    expect((await send(mine.apiKey, first)).status).toBe(202);
    expect(await send(mine.apiKey, usage(mine, subscriber, { meter, quantity: 11 }))).toMatchObject({
      status: 400,
      body: { error: { code: 'implausible_quantity' } },
    });
    const correction = {
      ...usage(mine, subscriber, { meter, quantity: 11, corrects: { source: first.source, id: first.id } }),
      type: 'onecommons.usage.correction.v1',
    };
    expect(await send(mine.apiKey, correction)).toMatchObject({
      status: 400,
      body: { error: { code: 'implausible_quantity', field: 'data.quantity' } },
    });
    expect(await counted(subscriber)).toEqual([
      { service_id: mine.serviceId, meter, quantity: '90', events: '1' },
    ]);
  });
});

describe('usage of someone who is not a subscriber', () => {
  it('is refused as retryable (409 unknown_subscriber, Retry-After) and counted once the subscriber is known', async () => {
    const stranger = randomUUID();
    const event = usage(mine, stranger);
    const refused = await fetch(`${stack.metering.url}/api/metering/v1/events`, {
      method: 'POST',
      headers: { 'content-type': SINGLE, authorization: `Bearer ${mine.apiKey}` },
      body: JSON.stringify(event),
    });
    expect(refused.status).toBe(409);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ error: { code: 'unknown_subscriber', field: 'subject' } });
    const known = freshSubscriber();
    expect(await send(mine.apiKey, [event, usage(mine, known)], BATCH)).toMatchObject({
      status: 200,
      body: {
        accepted: 1,
        rejected: 1,
        results: [
          { status: 'rejected', code: 'unknown_subscriber', field: 'subject', retryable: true },
          { status: 'accepted' },
        ],
      },
    });
    expect(await counted(stranger)).toEqual([]);
  });
});

describe('entitlements through a service’s key', () => {
  it('answer only for subscribers the service reported usage for (404 not_a_user_of_service)', async () => {
    const user = freshSubscriber();
    const notAUser = freshSubscriber();
    expect((await send(mine.apiKey, usage(mine, user, { meter: 'requests', quantity: 3 }))).status).toBe(202);
    const read = (key: string, subscriber: string) =>
      json(`${stack.metering.url}/api/metering/v1/entitlements/${subscriber}`, 'GET', { credential: key });
    expect(await read(mine.apiKey, user)).toMatchObject({ status: 200, body: { subscriber: user } });
    for (const [key, subscriber] of [
      [theirs.apiKey, user],
      [mine.apiKey, notAUser],
      [mine.apiKey, randomUUID()],
    ] as const)
      expect(await read(key, subscriber)).toMatchObject({
        status: 404,
        body: { error: { code: 'not_a_user_of_service' } },
      });
    expect(await read(stack.adminToken, notAUser)).toMatchObject({ status: 200 });
  });
});

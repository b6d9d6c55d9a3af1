import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiKeyCreatedV1,
  AppRegisteredV1,
  createEvent,
  type EventContract,
  periodOf,
  QuotaExceededV1,
} from '@onecommons/contracts';
import { bullmqPrefixOf } from '@onecommons/service-kit';
import { eventually, RawProducer, testStack } from '@onecommons/testing';
import { Redis } from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { Receiver } from './receiver.js';
import { type WebhooksStack, startWebhooksStack } from './webhooks-stack.js';

const API_KEY_CREATED = ApiKeyCreatedV1.type;
const APP_REGISTERED = AppRegisteredV1.type;
const QUOTA_EXCEEDED = QuotaExceededV1.type;

let stack: WebhooksStack;
let receiver: Receiver;
let producer: RawProducer;
let partner: { organizationId: string; key: string };

beforeAll(async () => {
  // Local receivers are on 127.0.0.1 (allowed here as `./dev` allows it); retries 1 s apart.
  stack = await startWebhooksStack({
    WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOKS_RETRY_SCHEDULE_SECONDS: '0,1,1',
    WEBHOOKS_SWEEP_INTERVAL_MS: '300',
    WEBHOOKS_DELIVERY_TIMEOUT_MS: '2000',
  });
  receiver = await Receiver.start();
  producer = await RawProducer.connect();
  partner = await stack.organizationWithKey('partner');
});

afterAll(async () => {
  await producer.stop();
  await receiver.stop();
  await stack.stop();
});

async function endpoint(
  path: string,
  eventTypes: string[],
  credential = partner.key,
): Promise<{ id: string; secret: string }> {
  const created = await stack.call<{ id: string; secret: string }>('POST', '/v1/endpoints', credential, {
    url: receiver.url(path),
    eventTypes,
  });
  expect(created.status).toBe(201);
  return created.body;
}

async function publish<Data>(contract: EventContract<Data>, data: Data): Promise<string> {
  const event = createEvent(contract, data as never, { source: `/onecommons/${contract.service}` });
  await producer.send(contract.topic, event.subject, JSON.stringify(event));
  return event.id;
}

const apiKeyCreated = (organizationId: string) =>
  publish(ApiKeyCreatedV1, {
    keyId: randomUUID(),
    organizationId,
    name: 'ci',
    scopes: ['webhooks:manage'],
    serviceId: null,
    createdBy: randomUUID(),
    createdAt: new Date().toISOString(),
  });

const appRegistered = () =>
  publish(AppRegisteredV1, {
    appId: randomUUID(),
    organizationId: randomUUID(),
    name: 'Wiki',
    repositoryUrl: 'https://codeberg.org/x/wiki',
    license: 'MIT',
  });

const received = (path: string, eventId: string, count = 1) =>
  eventually(`${count} request(s) to ${path} for ${eventId}`, async () => {
    const requests = receiver.of(path, eventId);
    return requests.length >= count ? requests : undefined;
  });

interface DeliveryDetail {
  id: string;
  webhookId: string;
  status: string;
  attempts: number;
  attemptLog: {
    number: number;
    outcome: string;
    statusCode: number | null;
    trigger: string;
    error: string | null;
  }[];
}

async function deliveryOf(
  endpointId: string,
  eventId: string,
  credential = partner.key,
): Promise<DeliveryDetail> {
  const [row] = await stack.webhooks.query<{ id: string }>(
    'SELECT id FROM deliveries WHERE endpoint_id = $1 AND event_id = $2',
    [endpointId, eventId],
  );
  if (!row) throw new Error(`no delivery of ${eventId} to ${endpointId}`);
  const answer = await stack.call<DeliveryDetail>(
    'GET',
    `/v1/endpoints/${endpointId}/deliveries/${row.id}`,
    credential,
  );
  expect(answer.status).toBe(200);
  return answer.body;
}

const settled = (endpointId: string, eventId: string, status: string, credential = partner.key) =>
  eventually(`the delivery of ${eventId} is ${status}`, async () => {
    const delivery = await deliveryOf(endpointId, eventId, credential).catch(() => undefined);
    return delivery?.status === status ? delivery : undefined;
  });

describe('signed delivery', () => {
  it('POSTs the event with Standard Webhooks headers that the standardwebhooks package verifies', async () => {
    const { id, secret } = await endpoint('/signed', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    const [request] = await received('/signed', eventId);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const payload = new Webhook(secret).verify(
      request?.body ?? '',
      request?.headers as Record<string, string>,
    );
    expect(payload).toMatchObject({
      id: eventId,
      type: API_KEY_CREATED,
      data: { organizationId: partner.organizationId },
    });
    expect(() =>
      new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(
        request?.body ?? '',
        request?.headers as Record<string, string>,
      ),
    ).toThrow();
    const delivery = await settled(id, eventId, 'succeeded');
    expect(request?.headers['webhook-id']).toBe(delivery.webhookId);
    expect(delivery.attemptLog).toEqual([
      expect.objectContaining({ number: 1, outcome: 'succeeded', statusCode: 204, trigger: 'automatic' }),
    ]);
  });

  it('reaches only the organizations an event concerns, and admin-only events only platform endpoints', async () => {
    const stranger = await stack.organizationWithKey('operator');
    await endpoint('/mine', [API_KEY_CREATED]);
    await endpoint('/strangers', [API_KEY_CREATED], stranger.key);
    const platform = await endpoint('/platform', [API_KEY_CREATED, QUOTA_EXCEEDED], stack.adminToken);
    const everyone = await endpoint('/everyone', [APP_REGISTERED], stranger.key);
    const mine = await apiKeyCreated(partner.organizationId);
    const quota = await publish(QuotaExceededV1, {
      subscriberId: randomUUID(),
      period: periodOf(new Date()),
      meter: 'requests',
      plan: 'free',
      limit: '100',
      used: '100',
      thresholdPercent: 100,
      crossedAt: new Date().toISOString(),
    });
    const app = await appRegistered();
    await received('/mine', mine);
    await received('/platform', mine);
    await received('/platform', quota);
    await received('/everyone', app);
    await settled(platform.id, quota, 'succeeded', stack.adminToken);
    await settled(everyone.id, app, 'succeeded', stranger.key);
    expect(receiver.of('/strangers', mine)).toEqual([]);
    const strangers = await stack.webhooks.query(
      'SELECT 1 FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id WHERE e.organization_id = $1 AND d.event_id = $2',
      [stranger.organizationId, mine],
    );
    expect(strangers).toEqual([]);
  });
});

describe('retries', () => {
  it('after two failures, one success: three attempts logged, one webhook-id', async () => {
    receiver.script('/flaky', [500, 503, 200]);
    const { id } = await endpoint('/flaky', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    const delivery = await settled(id, eventId, 'succeeded');
    expect(delivery.attempts).toBe(3);
    expect(delivery.attemptLog.map((attempt) => [attempt.outcome, attempt.statusCode])).toEqual([
      ['failed', 500],
      ['failed', 503],
      ['succeeded', 200],
    ]);
    const requests = receiver.of('/flaky', eventId);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((request) => request.headers['webhook-id']))).toEqual(
      new Set([delivery.webhookId]),
    );
    expect(requests.filter((request) => request.at - (requests[0]?.at ?? 0) >= 900)).toHaveLength(2);
  });

  it('give up when the schedule is spent', async () => {
    receiver.script('/down', [500]);
    const { id } = await endpoint('/down', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    const delivery = await settled(id, eventId, 'failed');
    expect(delivery.attemptLog.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'failed']);
    expect(receiver.of('/down', eventId)).toHaveLength(3);
  });

  it('stop on 410 Gone, which disables the endpoint', async () => {
    receiver.script('/gone', [410]);
    const { id } = await endpoint('/gone', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    const delivery = await settled(id, eventId, 'failed');
    expect(delivery.attemptLog).toEqual([expect.objectContaining({ outcome: 'failed', statusCode: 410 })]);
    expect(await stack.call('GET', `/v1/endpoints/${id}`, partner.key)).toMatchObject({
      body: { enabled: false, disabledReason: 'gone' },
    });
    // The marker endpoint exists before the next event, so it is sure to get it (the gone one must not).
    const marker = await endpoint('/after-gone', [API_KEY_CREATED]);
    const later = await apiKeyCreated(partner.organizationId);
    await received('/after-gone', later);
    await settled(marker.id, later, 'succeeded');
    expect(receiver.of('/gone', later)).toEqual([]);
    expect(receiver.of('/gone', eventId)).toHaveLength(1);
  });

  it('honour 429 with Retry-After over the schedule', async () => {
    receiver.script('/busy', [{ status: 429, headers: { 'retry-after': '3' } }, 200]);
    const { id } = await endpoint('/busy', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    await settled(id, eventId, 'succeeded');
    const [first, second] = receiver.of('/busy', eventId);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_900);
  });

  it('survive a Redis flush mid-retry: Postgres has the delivery, the sweeper queues it again', async () => {
    receiver.script('/flushed', [{ status: 429, headers: { 'retry-after': '3' } }, 200]);
    const { id } = await endpoint('/flushed', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    await received('/flushed', eventId);
    const [pending] = await eventually('the retry is scheduled', async () => {
      const rows = await stack.webhooks.query<{ id: string }>(
        `SELECT id FROM deliveries WHERE endpoint_id = $1 AND status = 'pending' AND attempts = 1`,
        [id],
      );
      return rows.length > 0 ? rows : undefined;
    });
    const redis = new Redis(testStack().redisUrl);
    try {
      const prefix = `${bullmqPrefixOf(undefined, stack.webhooks.schema)}:`;
      expect(await redis.exists(`${prefix}webhook-deliveries:${pending?.id}`)).toBe(1);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
      expect(await redis.keys(`${prefix}*`)).toEqual([]);
    } finally {
      redis.disconnect();
    }
    const delivery = await settled(id, eventId, 'succeeded');
    expect(delivery.attemptLog.map((attempt) => attempt.statusCode)).toEqual([429, 200]);
    expect(receiver.of('/flushed', eventId)).toHaveLength(2);
  });
});

describe('manual redelivery', () => {
  it('sends a delivery again with the same webhook-id and logs a manual attempt', async () => {
    const { id } = await endpoint('/again', [API_KEY_CREATED]);
    const eventId = await apiKeyCreated(partner.organizationId);
    const first = await settled(id, eventId, 'succeeded');
    const stranger = await stack.organizationWithKey('partner');
    expect(
      (await stack.call('POST', `/v1/endpoints/${id}/deliveries/${first.id}/redeliver`, stranger.key)).status,
    ).toBe(404);
    const asked = await stack.call(
      'POST',
      `/v1/endpoints/${id}/deliveries/${first.id}/redeliver`,
      partner.key,
    );
    expect(asked).toMatchObject({ status: 202, body: { id: first.id, status: 'pending' } });
    const requests = await received('/again', eventId, 2);
    expect(requests.map((request) => request.headers['webhook-id'])).toEqual([
      first.webhookId,
      first.webhookId,
    ]);
    const after = await eventually('the redelivery is logged', async () => {
      const delivery = await deliveryOf(id, eventId);
      return delivery.attempts === 2 && delivery.status === 'succeeded' ? delivery : undefined;
    });
    expect(after.attemptLog.map((attempt) => attempt.trigger)).toEqual(['automatic', 'manual']);
    const log = await stack.call<{ items: { id: string }[] }>(
      'GET',
      `/v1/endpoints/${id}/deliveries?status=succeeded`,
      partner.key,
    );
    expect(log.body.items.map((item) => item.id)).toEqual([first.id]);
  });
});

describe('secret rotation', () => {
  it('signs with the old and the new secret during the grace period, then with the new one only', async () => {
    const { id, secret: oldSecret } = await endpoint('/rotating', [API_KEY_CREATED]);
    const rotated = await stack.call<{ secret: string; previousSecretExpiresAt: string }>(
      'POST',
      `/v1/endpoints/${id}/secret/rotate`,
      partner.key,
    );
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret;
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    const during = await apiKeyCreated(partner.organizationId);
    const [request] = await received('/rotating', during);
    const headers = request?.headers as Record<string, string>;
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(request?.body ?? '', headers)).toMatchObject({ id: during });
    expect(new Webhook(newSecret).verify(request?.body ?? '', headers)).toMatchObject({ id: during });

    await stack.webhooks.query(
      `UPDATE endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1`,
      [id],
    );
    const after = await apiKeyCreated(partner.organizationId);
    const [late] = await received('/rotating', after);
    const lateHeaders = late?.headers as Record<string, string>;
    expect(lateHeaders['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(new Webhook(newSecret).verify(late?.body ?? '', lateHeaders)).toMatchObject({ id: after });
    expect(() => new Webhook(oldSecret).verify(late?.body ?? '', lateHeaders)).toThrow();
  });
});

import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppRegisteredV1, createEvent, WEBHOOK_DELIVERABLE_EVENTS } from '@onecommons/contracts';
import { eventually, RawProducer } from '@onecommons/testing';
import { Receiver } from './receiver.js';
import { type WebhooksStack, startWebhooksStack } from './webhooks-stack.js';

// The guard as in production: only public addresses. Registrations use a public IP literal (no DNS needed).
const PUBLIC_URL = 'https://93.184.215.14/hooks/onecommons';
const APP_REGISTERED = 'onecommons.catalog.app.registered.v1';
const SERVICE_CREATED = 'onecommons.catalog.service.created.v1';
const QUOTA_EXCEEDED = 'onecommons.metering.quota.exceeded.v1';

let stack: WebhooksStack;
let partner: { organizationId: string; key: string };
let other: { organizationId: string; key: string };

beforeAll(async () => {
  stack = await startWebhooksStack();
  partner = await stack.organizationWithKey('partner');
  other = await stack.organizationWithKey('operator');
});

afterAll(async () => {
  await stack.stop();
});

const register = (credential: string, body: unknown) =>
  stack.call<Record<string, unknown>>('POST', '/v1/endpoints', credential, body);

describe('the event-type catalogue', () => {
  it('lists every deliverable contract with its audience, and nothing else', async () => {
    const answer = await stack.call<{ items: { type: string; audience: string; description: string }[] }>(
      'GET',
      '/v1/event-types',
      '',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((item) => item.type).sort()).toEqual(
      WEBHOOK_DELIVERABLE_EVENTS.map((event) => event.contract.type).sort(),
    );
    expect(answer.body.items).toContainEqual(
      expect.objectContaining({ type: QUOTA_EXCEEDED, audience: 'admins' }),
    );
    expect(answer.body.items).toContainEqual(
      expect.objectContaining({ type: APP_REGISTERED, audience: 'everyone' }),
    );
    expect(answer.body.items).toContainEqual(
      expect.objectContaining({ type: SERVICE_CREATED, audience: 'organization' }),
    );
    expect(answer.body.items.every((item) => item.description.length > 0)).toBe(true);
  });
});

describe('endpoints', () => {
  it('are bounded per organization (WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION, 20 by default), even when registered at once', async () => {
    const crowded = await stack.organizationWithKey('partner');
    const attempts = await Promise.all(
      Array.from({ length: 25 }, (_, index) =>
        register(crowded.key, { url: `${PUBLIC_URL}/${index}`, eventTypes: [APP_REGISTERED] }),
      ),
    );
    expect(attempts.filter((answer) => answer.status === 201)).toHaveLength(20);
    const refused = attempts.filter((answer) => answer.status !== 201);
    expect(refused).toHaveLength(5);
    for (const answer of refused)
      expect(answer).toMatchObject({ status: 409, body: { error: { code: 'limit_reached' } } });
    const [{ count }] = (await stack.webhooks.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM endpoints WHERE organization_id = $1',
      [crowded.organizationId],
    )) as [{ count: number }];
    expect(count).toBe(20);
    // Another organization is not affected; deleting one makes room again.
    const neighbour = await stack.organizationWithKey('partner');
    expect((await register(neighbour.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] })).status).toBe(
      201,
    );
    const id = String(attempts.find((answer) => answer.status === 201)?.body['id']);
    expect((await stack.call('DELETE', `/v1/endpoints/${id}`, crowded.key)).status).toBe(204);
    expect((await register(crowded.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] })).status).toBe(201);
  });

  it('are registered with a whsec_ secret shown once and stored sealed', async () => {
    const created = await register(partner.key, {
      url: PUBLIC_URL,
      eventTypes: [APP_REGISTERED],
      description: 'CRM',
    });
    expect(created.status).toBe(201);
    const secret = String(created.body['secret']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(created.body).toMatchObject({
      organizationId: partner.organizationId,
      url: PUBLIC_URL,
      eventTypes: [APP_REGISTERED],
      enabled: true,
      disabledReason: null,
    });
    const id = String(created.body['id']);
    const read = await stack.call('GET', `/v1/endpoints/${id}`, partner.key);
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(JSON.stringify(read.body)).not.toContain(secret.slice(6, 20));
    const [row] = await stack.webhooks.query<{ secret_sealed: string }>(
      'SELECT secret_sealed FROM endpoints WHERE id = $1',
      [id],
    );
    expect(row?.secret_sealed).toMatch(/^v1\./);
    expect(row?.secret_sealed).not.toContain(secret.slice(6));
  });

  it('are listed, changed, disabled, enabled and deleted by their organization', async () => {
    const created = await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] });
    const id = String(created.body['id']);
    const listed = await stack.call<{ items: { id: string; organizationId: string }[] }>(
      'GET',
      '/v1/endpoints?limit=200',
      partner.key,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((item) => item.id)).toContain(id);
    expect(listed.body.items.every((item) => item.organizationId === partner.organizationId)).toBe(true);

    const changed = await stack.call('PATCH', `/v1/endpoints/${id}`, partner.key, {
      url: 'https://93.184.215.15/other',
      eventTypes: [SERVICE_CREATED, APP_REGISTERED],
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { url: 'https://93.184.215.15/other', eventTypes: [APP_REGISTERED, SERVICE_CREATED] },
    });
    expect(await stack.call('PATCH', `/v1/endpoints/${id}`, partner.key, { enabled: false })).toMatchObject({
      status: 200,
      body: { enabled: false, disabledReason: 'manual' },
    });
    expect(await stack.call('PATCH', `/v1/endpoints/${id}`, partner.key, { enabled: true })).toMatchObject({
      status: 200,
      body: { enabled: true, disabledReason: null },
    });
    expect((await stack.call('DELETE', `/v1/endpoints/${id}`, partner.key)).status).toBe(204);
    expect((await stack.call('GET', `/v1/endpoints/${id}`, partner.key)).status).toBe(404);
  });

  it('of another organization do not exist for a caller (404), nor do their delivery logs', async () => {
    const created = await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] });
    const id = String(created.body['id']);
    for (const [method, path, body] of [
      ['GET', `/v1/endpoints/${id}`, undefined],
      ['PATCH', `/v1/endpoints/${id}`, { description: 'mine now' }],
      ['POST', `/v1/endpoints/${id}/secret/rotate`, undefined],
      ['GET', `/v1/endpoints/${id}/deliveries`, undefined],
      ['DELETE', `/v1/endpoints/${id}`, undefined],
    ] as const)
      expect(await stack.call(method, path, other.key, body)).toMatchObject({
        status: 404,
        body: { error: { code: 'endpoint_not_found' } },
      });
    const listed = await stack.call<{ items: { id: string }[] }>('GET', '/v1/endpoints?limit=200', other.key);
    expect(listed.body.items.map((item) => item.id)).not.toContain(id);
    expect((await stack.call('GET', `/v1/endpoints/${id}`, partner.key)).status).toBe(200);
  });

  it('take a webhooks:manage key or an admin token, nothing less', async () => {
    expect((await stack.call('GET', '/v1/endpoints', '')).status).toBe(401);
    expect(await stack.call('GET', '/v1/endpoints', await stack.accountToken())).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    const admin = await register(stack.adminToken, { url: PUBLIC_URL, eventTypes: [QUOTA_EXCEEDED] });
    expect(admin).toMatchObject({
      status: 201,
      body: { organizationId: null, eventTypes: [QUOTA_EXCEEDED] },
    });
    // An admin sees every endpoint; an organization only its own.
    const adminList = await stack.call<{ items: { id: string }[] }>(
      'GET',
      '/v1/endpoints?limit=200',
      stack.adminToken,
    );
    expect(adminList.body.items.map((item) => item.id)).toContain(admin.body['id']);
    const partnerList = await stack.call<{ items: { id: string }[] }>(
      'GET',
      '/v1/endpoints?limit=200',
      partner.key,
    );
    expect(partnerList.body.items.map((item) => item.id)).not.toContain(admin.body['id']);
  });

  it('of an organization cannot subscribe to admin-only events (403 on eventTypes)', async () => {
    expect(
      await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED, QUOTA_EXCEEDED] }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'event_type_not_allowed', field: 'eventTypes' } },
    });
    const created = await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] });
    // Not even when an admin edits the organization's endpoint.
    expect(
      await stack.call('PATCH', `/v1/endpoints/${String(created.body['id'])}`, stack.adminToken, {
        eventTypes: [QUOTA_EXCEEDED],
      }),
    ).toMatchObject({ status: 403, body: { error: { field: 'eventTypes' } } });
  });

  it('refuse bad input with the failing field', async () => {
    const cases: [unknown, string][] = [
      [{ eventTypes: [APP_REGISTERED] }, 'url'],
      [{ url: 'ftp://93.184.215.14/x', eventTypes: [APP_REGISTERED] }, 'url'],
      [{ url: 'not a url', eventTypes: [APP_REGISTERED] }, 'url'],
      [{ url: 'https://user:pass@93.184.215.14/x', eventTypes: [APP_REGISTERED] }, 'url'],
      [{ url: PUBLIC_URL, eventTypes: [] }, 'eventTypes'],
      [{ url: PUBLIC_URL, eventTypes: ['onecommons.ledger.period.reopened.v1'] }, 'eventTypes'],
      [{ url: PUBLIC_URL, eventTypes: [APP_REGISTERED], secret: 'whsec_mine' }, 'secret'],
    ];
    for (const [body, field] of cases)
      expect({ body, answer: await register(partner.key, body) }).toMatchObject({
        body,
        answer: { status: 400, body: { error: { field } } },
      });
    expect(await stack.call('GET', '/v1/endpoints/not-a-uuid', partner.key)).toMatchObject({ status: 400 });
    expect(await stack.call('GET', '/v1/endpoints?limit=0', partner.key)).toMatchObject({
      status: 400,
      body: { error: { field: 'limit' } },
    });
  });
});

describe('the SSRF guard (WEBHOOKS_ALLOW_PRIVATE_TARGETS unset)', () => {
  it.each([
    'http://127.0.0.1:8080/hook',
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://localhost:3000/hook',
    'http://192.168.1.10/hook',
    'http://[fd00::1]/hook',
  ])('refuses %s at registration', async (url) => {
    expect(await register(partner.key, { url, eventTypes: [APP_REGISTERED] })).toMatchObject({
      status: 400,
      body: { error: { code: 'private_target', field: 'url' } },
    });
  });

  it('refuses a private target on update too', async () => {
    const created = await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] });
    expect(
      await stack.call('PATCH', `/v1/endpoints/${String(created.body['id'])}`, partner.key, {
        url: 'http://127.0.0.1/hook',
      }),
    ).toMatchObject({ status: 400, body: { error: { code: 'private_target', field: 'url' } } });
  });
});

describe('the SSRF guard at delivery time', () => {
  it('checks the target again before every attempt: a target now private gets nothing, the refusal is logged', async () => {
    const receiver = await Receiver.start();
    const producer = await RawProducer.connect();
    try {
      const created = await register(partner.key, { url: PUBLIC_URL, eventTypes: [APP_REGISTERED] });
      const id = String(created.body['id']);
      // As if its DNS name now answered with a loopback address (rows are changed only by this service).
      await stack.webhooks.query('UPDATE endpoints SET url = $2 WHERE id = $1', [
        id,
        receiver.url('/internal'),
      ]);
      const event = createEvent(
        AppRegisteredV1,
        {
          appId: randomUUID(),
          organizationId: randomUUID(),
          name: 'Wiki',
          repositoryUrl: 'https://codeberg.org/x/wiki',
          license: 'MIT',
        },
        { source: '/onecommons/catalog' },
      );
      await producer.send(AppRegisteredV1.topic, event.subject, JSON.stringify(event));
      const [attempt] = await eventually('the refused attempt is logged', async () => {
        const rows = await stack.webhooks.query<{
          outcome: string;
          error: string;
          status_code: number | null;
        }>(
          `SELECT a.outcome, a.error, a.status_code FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id
            WHERE d.endpoint_id = $1 AND d.event_id = $2`,
          [id, event.id],
        );
        return rows.length > 0 ? rows : undefined;
      });
      expect(attempt).toMatchObject({ outcome: 'refused', status_code: null });
      expect(attempt?.error).toContain('loopback');
      expect(receiver.requests).toEqual([]);
    } finally {
      await producer.stop();
      await receiver.stop();
    }
  });
});

// Every service's HTTP server (service-kit's createServiceApp), here webhooks'.
describe('an idle keep-alive connection', () => {
  it('is still open past Node’s default 5 s: the client closes it, never the service in the middle of a request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const request = http.get(`${stack.webhooks.url}/health/live`, { agent }, (response) => {
          response.resume();
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, reused: request.reusedSocket }),
          );
        });
        request.on('error', reject);
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  });
});

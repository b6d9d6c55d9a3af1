import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  defineMeters,
  json,
  type MeteringStack,
  newService,
  newSubscriberIds,
  startMeteringStack,
} from './metering-stack.js';

/**
 * Metering keeps identity's answers about live API keys (AUTH_API_KEY_CACHE_SECONDS, 30 s by default), yet a
 * revoked key is refused from the very next request, and a cached answer never lets a key report for what it
 * may not.
 */
let stack: MeteringStack;
let serviceId: string;
let otherServiceId: string;
let apiKey: string;
let otherServiceKey: string;
let subscribers: string[];

beforeAll(async () => {
  stack = await startMeteringStack({ AUTH_API_KEY_CACHE_SECONDS: '300' });
  await defineMeters(stack, { requests: 1 });
  ({ serviceId, apiKey } = await newService(stack));
  ({ serviceId: otherServiceId, apiKey: otherServiceKey } = await newService(stack));
  subscribers = await newSubscriberIds(stack, 4);
});

afterAll(async () => {
  await stack.stop();
});

const identity = (path: string) => `${stack.identity.url}/api/identity/v1${path}`;

const usage = (service = serviceId) => ({
  specversion: '1.0',
  id: randomUUID(),
  source: `/services/${service}`,
  type: 'onecommons.usage.v1',
  subject: subscribers[0],
  time: new Date().toISOString(),
  data: { service, meter: 'requests', quantity: 1 },
});

const send = (credential: string, event: unknown = usage()) =>
  json<{ error?: { code: string } }>(`${stack.metering.url}/api/metering/v1/events`, 'POST', {
    credential,
    body: event,
    contentType: 'application/cloudevents+json',
  });

/** A new metering:write key of the service, with its id (to revoke it). */
async function newKey(service: string): Promise<{ id: string; key: string }> {
  const created = await json<{ id: string; key: string }>(
    identity(`/organizations/${stack.operatorId}/api-keys`),
    'POST',
    {
      credential: stack.operatorToken,
      body: { name: 'usage', scopes: ['metering:write'], serviceId: service },
    },
  );
  expect(created.status).toBe(201);
  return created.body;
}

const revoke = async (keyId: string) =>
  (
    await json(identity(`/organizations/${stack.operatorId}/api-keys/${keyId}`), 'DELETE', {
      credential: stack.operatorToken,
    })
  ).status;

describe('a cached API key', () => {
  it('is refused from the very next request once revoked', async () => {
    const { id, key } = await newKey(serviceId);
    for (let request = 0; request < 3; request += 1) expect((await send(key)).status).toBe(202);
    expect(await revoke(id)).toBe(200);
    expect(await send(key)).toMatchObject({ status: 401, body: { error: { code: 'invalid_api_key' } } });
    // Another key of the same service, cached before the revocation, keeps working after it.
    expect((await send(apiKey)).status).toBe(202);
  });

  it('stays refused for a revoked key however often it is sent, and for a revocation repeated', async () => {
    const { id, key } = await newKey(serviceId);
    expect((await send(key)).status).toBe(202);
    expect(await revoke(id)).toBe(200);
    expect(await revoke(id)).toBe(200);
    for (let request = 0; request < 3; request += 1) expect((await send(key)).status).toBe(401);
  });

  it('reports only for its own service, cached or not (403 service_not_allowed)', async () => {
    expect((await send(otherServiceKey, usage(otherServiceId))).status).toBe(202);
    for (let request = 0; request < 2; request += 1)
      expect(await send(otherServiceKey, usage(serviceId))).toMatchObject({
        status: 403,
        body: { error: { code: 'service_not_allowed' } },
      });
  });

  it('lets no outsider in: an unknown key, a key without metering:write, an access token', async () => {
    const webhooksKey = await json<{ key: string }>(
      identity(`/organizations/${stack.operatorId}/api-keys`),
      'POST',
      { credential: stack.operatorToken, body: { name: 'hooks', scopes: ['webhooks:manage'] } },
    );
    expect(webhooksKey.status).toBe(201);
    for (let request = 0; request < 2; request += 1) {
      expect(await send(webhooksKey.body.key)).toMatchObject({
        status: 403,
        body: { error: { code: 'insufficient_scope' } },
      });
      expect((await send('ock_0000000000000000000000000000000000000000')).status).toBe(401);
      expect((await send(stack.operatorToken)).status).toBe(401);
    }
  });
});

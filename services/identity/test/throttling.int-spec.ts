import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorBodySchema } from '@onecommons/service-kit';
import { startService, testStack, type RunningService } from '@onecommons/testing';
import { Redis } from 'ioredis';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';

// Limits low enough to reach in a test; each test uses its own client addresses and emails.
const limits = {
  LOGIN_RATE_LIMIT_PER_MINUTE: '3',
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '5',
  LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: '6',
  TOKEN_REFRESH_RATE_LIMIT_PER_MINUTE: '3',
  REGISTRATION_RATE_LIMIT_PER_MINUTE: '3',
};

let identity: RunningService<IdentityConfig>;
let replica: RunningService<IdentityConfig>;
let redis: Redis;

beforeAll(async () => {
  identity = await startService(identityService, { env: limits });
  redis = new Redis(testStack().redisUrl);
  // A second instance of the same service: same schema (so the same Redis key prefix) and keys.
  replica = await startService(identityService, {
    env: { ...limits, IDENTITY_KEY_ENCRYPTION_KEY: identity.config.IDENTITY_KEY_ENCRYPTION_KEY },
    schema: identity.schema,
  });
});

afterAll(async () => {
  redis?.disconnect();
  await replica?.stop({ keepSchema: true });
  await identity?.stop();
});

let nextAddress = 1;
/** A fresh client address in TEST-NET-2, as the gateway would report it in X-Forwarded-For. */
const newAddress = () => `198.51.100.${nextAddress++}`;
const newEmail = () => `throttled-${randomUUID()}@example.org`;

function post(instance: RunningService, path: string, body: unknown, clientAddress: string) {
  return fetch(`${instance.url}/api/identity${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': clientAddress },
    body: JSON.stringify(body),
  });
}

const login = (email: string, address: string, instance: RunningService = identity) =>
  post(instance, '/v1/sessions', { email, password: 'not the password' }, address);

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  const settled = [];
  for (const response of responses) settled.push((await response).status); // in order, not in parallel
  return settled;
}

/** A 429 in the platform's error shape, with a `Retry-After` of whole seconds in `[min, max]`. */
async function expectRateLimited(response: Response, { min = 1, max = 60 } = {}): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(min);
  expect(retryAfter).toBeLessThanOrEqual(max);
  const body = errorBodySchema.parse(await response.json());
  expect(body.error.code).toBe('rate_limited');
}

describe('login', () => {
  it('refuses a client guessing one account’s password with 429 and Retry-After, but not the same account elsewhere', async () => {
    const email = newEmail();
    const address = newAddress();
    const first = [];
    for (let attempt = 0; attempt < 3; attempt++) first.push((await login(email, address)).status);
    expect(first).toEqual([401, 401, 401]);
    await expectRateLimited(await login(email, address));
    // The same email in another spelling is the same account.
    await expectRateLimited(await login(email.toUpperCase(), address));
    // The owner, from their own address, still gets through.
    expect((await login(email, newAddress())).status).toBe(401);
  });

  it('counts across instances: the limit lives in Redis, not in one process', async () => {
    const email = newEmail();
    const address = newAddress();
    expect(
      await statuses([
        login(email, address, identity),
        login(email, address, replica),
        login(email, address, identity),
      ]),
    ).toEqual([401, 401, 401]);
    await expectRateLimited(await login(email, address, replica));
    await expectRateLimited(await login(email, address, identity));
  });

  it('refuses one address trying many accounts (credential stuffing)', async () => {
    const address = newAddress();
    const attempts = [];
    for (let attempt = 0; attempt < 5; attempt++) attempts.push((await login(newEmail(), address)).status);
    expect(attempts).toEqual([401, 401, 401, 401, 401]);
    await expectRateLimited(await login(newEmail(), address));
    expect((await login(newEmail(), newAddress())).status).toBe(401);
  });

  it('refuses guessing one account’s password from many addresses', async () => {
    const email = newEmail();
    const attempts = [];
    for (let attempt = 0; attempt < 6; attempt++) attempts.push((await login(email, newAddress())).status);
    expect(attempts).toEqual([401, 401, 401, 401, 401, 401]);
    // Blocked for 15 minutes, not the rest of the hour: an attacker cannot lock the owner out for long.
    await expectRateLimited(await login(email, newAddress()), { min: 15 * 60 - 5, max: 15 * 60 });
    expect((await login(newEmail(), newAddress())).status).toBe(401);
  });

  it('keeps no email in Redis: counters are keyed by hashes', async () => {
    const email = newEmail();
    await login(email, newAddress());
    const keys = await redis.keys(`oc:${identity.schema}:throttle:*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((key) => key.includes('@') || key.includes('198.51.100'))).toBe(false);
  });
});

describe('token refresh and registration', () => {
  it('limit refresh-token exchanges per address', async () => {
    const address = newAddress();
    const refresh = () =>
      post(
        identity,
        '/v1/sessions/refresh',
        { refreshToken: `ocr_${randomBytes(32).toString('base64url')}` },
        address,
      );
    expect(await statuses([refresh(), refresh(), refresh()])).toEqual([401, 401, 401]);
    await expectRateLimited(await refresh());
  });

  it('limit registrations per address', async () => {
    const address = newAddress();
    const register = () =>
      post(identity, '/v1/accounts', { email: newEmail(), password: 'a long enough passphrase' }, address);
    expect(await statuses([register(), register(), register()])).toEqual([201, 201, 201]);
    await expectRateLimited(await register());
  });
});

describe('other endpoints', () => {
  it('are not limited', async () => {
    const address = newAddress();
    const refreshToken = `ocr_${randomBytes(32).toString('base64url')}`;
    for (let request = 0; request < 12; request++) {
      expect((await post(identity, '/v1/sessions/logout', { refreshToken }, address)).status).toBe(204);
      const jwks = await fetch(`${identity.url}/api/identity/v1/.well-known/jwks.json`, {
        headers: { 'x-forwarded-for': address },
      });
      expect(jwks.status).toBe(200);
    }
  });
});

describe('the client address', () => {
  it('comes from X-Forwarded-For only when the request comes from a trusted proxy', async () => {
    // This instance trusts no proxy: the forwarded addresses are the client's own claims, and ignored.
    const untrusting = await startService(identityService, {
      env: { ...limits, HTTP_TRUSTED_PROXIES: 'none' },
    });
    try {
      const email = newEmail();
      const attempts = [];
      for (let attempt = 0; attempt < 3; attempt++) {
        attempts.push((await login(email, newAddress(), untrusting)).status);
      }
      expect(attempts).toEqual([401, 401, 401]);
      await expectRateLimited(await login(email, newAddress(), untrusting));
    } finally {
      await untrusting.stop();
    }
  });
});

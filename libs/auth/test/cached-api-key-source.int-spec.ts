import { randomUUID } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import { Redis } from 'ioredis';
import { type ApiKeyPrincipal, generateApiKey } from '../src/api-key.js';
import { ApiKeyRevocationEpoch } from '../src/api-key-revocations.js';
import { CachedApiKeySource } from '../src/cached-api-key-source.js';
import { type IntrospectedApiKey } from '../src/remote-api-key-source.js';

/**
 * The cache against a real Redis; identity stands behind a function that counts how often it is asked (the
 * services' own test, services/metering/test/api-key-cache.int-spec.ts, revokes through the real identity).
 */
const redis = new Redis(testStack().redisUrl, { maxRetriesPerRequest: 1 });
const TTL_MS = 60_000;

const principal: ApiKeyPrincipal = {
  kind: 'api_key',
  keyId: randomUUID(),
  organizationId: randomUUID(),
  scopes: ['metering:write'],
  serviceId: randomUUID(),
};

let epochKey: string;
let epoch: ApiKeyRevocationEpoch;
let clock: number;
let asked: number;
/** What identity answers next: the key live (with its expiry) or not. */
let answer: () => Promise<IntrospectedApiKey | null>;

const identity = {
  introspect: async () => {
    asked += 1;
    return answer();
  },
};
const cacheWith = (store: ApiKeyRevocationEpoch) =>
  new CachedApiKeySource(identity, store, { ttlMs: TTL_MS, now: () => clock });

beforeEach(() => {
  epochKey = `test:api-key-revocation-epoch:${randomUUID()}`;
  epoch = new ApiKeyRevocationEpoch(redis, epochKey);
  clock = Date.parse('2026-12-03T08:00:00Z');
  asked = 0;
  answer = async () => ({ principal, expiresAt: null });
});

afterAll(async () => {
  await redis.quit();
});

describe('the API key cache', () => {
  it('asks identity once for a live key while nothing was revoked', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    for (let request = 0; request < 5; request += 1) expect(await cache.resolve(key)).toEqual(principal);
    expect(asked).toBe(1);
  });

  it('asks again at the next request once anything was revoked', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    await cache.resolve(key);
    await epoch.advance();
    answer = async () => null;
    expect(await cache.resolve(key)).toBeNull();
    expect(await cache.resolve(key)).toBeNull();
    expect(asked).toBe(3);
  });

  it('never uses an answer identity gave while a revocation was being made', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    // Identity answers "live", then the revocation commits and moves the epoch before the answer is stored.
    answer = async () => {
      await epoch.advance();
      return { principal, expiresAt: null };
    };
    expect(await cache.resolve(key)).toEqual(principal);
    answer = async () => null;
    expect(await cache.resolve(key)).toBeNull();
  });

  it('asks again when Redis lost the epoch (restarted empty)', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    await cache.resolve(key);
    await redis.del(epochKey);
    answer = async () => null;
    expect(await cache.resolve(key)).toBeNull();
  });

  it('keeps an answer no longer than its TTL, nor past the key’s expiry', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    await cache.resolve(key);
    clock += TTL_MS;
    await cache.resolve(key);
    expect(asked).toBe(2);
    const expiring = generateApiKey();
    answer = async () => ({ principal, expiresAt: new Date(clock + 1_000) });
    await cache.resolve(expiring);
    clock += 1_000;
    answer = async () => null;
    expect(await cache.resolve(expiring)).toBeNull();
  });

  it('never keeps a refusal', async () => {
    const cache = cacheWith(epoch);
    const key = generateApiKey();
    answer = async () => null;
    expect(await cache.resolve(key)).toBeNull();
    answer = async () => ({ principal, expiresAt: null });
    expect(await cache.resolve(key)).toEqual(principal);
  });

  it('asks identity every time while Redis cannot be read', async () => {
    const unreachable = new Redis({
      port: 9,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    unreachable.on('error', () => undefined);
    const cache = cacheWith(new ApiKeyRevocationEpoch(unreachable, epochKey));
    const key = generateApiKey();
    await cache.resolve(key);
    await cache.resolve(key);
    expect(asked).toBe(2);
    unreachable.disconnect();
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RedisThrottlerStorage } from '@onecommons/service-kit';
import { testStack, uniqueSuffix } from '@onecommons/testing';
import { Redis } from 'ioredis';

// The storage behind identity's rate limits (service-kit's), against the real Redis of the test stack.

let redis: Redis;
let storage: RedisThrottlerStorage;
let prefix: string;

beforeAll(() => {
  redis = new Redis(testStack().redisUrl);
  prefix = `oc:t_storage_${uniqueSuffix()}`;
  storage = new RedisThrottlerStorage(redis, prefix);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until Redis has expired the key (its own clock, not a guess at how long the steps before took). */
async function expired(key: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await redis.pttl(key)) !== -2) {
    if (Date.now() > deadline) throw new Error(`${key} did not expire within 10 s`);
    await sleep(25);
  }
}

// Windows and blocks of seconds, not a few hundred milliseconds: on a loaded machine the hits of one step can be
// that far apart, and the block or window would end in the middle of the step.
describe('RedisThrottlerStorage', () => {
  it('counts hits in a window, blocks over the limit without counting blocked hits, then starts afresh', async () => {
    const hit = () => storage.increment('window', 60_000, 2, 2_000, 'test');
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 60, isBlocked: false, timeToBlockExpire: 0 });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 2 });
    expect(await hit()).toMatchObject({ isBlocked: true });
    const blocked = `${prefix}:throttle:test:{window}:blocked`;
    const blockLeft = await redis.pttl(blocked);
    expect(blockLeft).toBeGreaterThan(0);
    expect(blockLeft).toBeLessThanOrEqual(2_000); // hits while blocked did not extend the block
    await expired(blocked);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('ends the window after its ttl', async () => {
    const hit = () => storage.increment('short', 2_000, 1, 0, 'test');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    const blocked = await hit();
    expect(blocked).toMatchObject({ totalHits: 2, isBlocked: true });
    // Blocked until the window ends: what is left of its 2 s, in whole seconds.
    expect([1, 2]).toContain(blocked.timeToBlockExpire);
    await expired(`${prefix}:throttle:test:{short}:hits`);
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('counts concurrent hits exactly once each', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => storage.increment('burst', 60_000, 20, 60_000, 'test')),
    );
    expect(results.filter((result) => !result.isBlocked)).toHaveLength(20);
    expect(
      results
        .map((result) => result.totalHits)
        .filter((hits) => hits <= 20)
        .sort((a, b) => a - b),
    ).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
  });

  it('keeps counters of different names and keys apart', async () => {
    await storage.increment('apart', 60_000, 5, 0, 'one');
    expect(await storage.increment('apart', 60_000, 5, 0, 'two')).toMatchObject({ totalHits: 1 });
    expect(await storage.increment('other', 60_000, 5, 0, 'one')).toMatchObject({ totalHits: 1 });
  });
});

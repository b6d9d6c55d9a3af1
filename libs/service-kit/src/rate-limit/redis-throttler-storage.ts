import type { ThrottlerStorage } from '@nestjs/throttler';
import { type Redis } from 'ioredis';

/** What @nestjs/throttler needs back from a storage; times in whole seconds, rounded up. */
export interface ThrottlerRecord {
  readonly totalHits: number;
  readonly timeToExpire: number;
  readonly isBlocked: boolean;
  readonly timeToBlockExpire: number;
}

/**
 * One fixed window per key, counted atomically in Redis: the first hit starts a window of `ttl` ms; a hit
 * over `limit` blocks the key for `blockDuration` ms and restarts the count, and hits while blocked are not
 * counted (a client cannot extend its own block). With `blockDuration` 0 the key is limited only until its
 * window ends. Returns [hits, ms left in the window, blocked (0|1), ms left in the block].
 */
const INCREMENT = `
local hitsKey, blockKey = KEYS[1], KEYS[2]
local ttl, limit, blockDuration = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local blockLeft = redis.call('PTTL', blockKey)
if blockLeft > 0 then
  return { limit + 1, blockLeft, 1, blockLeft }
end
local hits = redis.call('INCR', hitsKey)
local windowLeft = redis.call('PTTL', hitsKey)
if windowLeft < 0 then
  redis.call('PEXPIRE', hitsKey, ttl)
  windowLeft = ttl
end
if hits <= limit then
  return { hits, windowLeft, 0, 0 }
end
if blockDuration <= 0 then
  return { hits, windowLeft, 1, windowLeft }
end
redis.call('SET', blockKey, '1', 'PX', blockDuration)
redis.call('DEL', hitsKey)
return { hits, blockDuration, 1, blockDuration }
`;

const COMMAND = 'onecommonsThrottleIncrement';

type IncrementCommand = (
  hitsKey: string,
  blockKey: string,
  ttl: number,
  limit: number,
  blockDuration: number,
) => Promise<[number, number, number, number]>;

/**
 * @nestjs/throttler's storage in Redis, so every replica of a service counts against one limit. Keys live
 * under the service's Redis prefix; both keys of a counter share a hash tag (one slot on a cluster).
 * A Redis failure fails the request rather than dropping the limit; readiness reports Redis down meanwhile.
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly increment$: IncrementCommand;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 2, lua: INCREMENT });
    const command = (redis as unknown as Record<typeof COMMAND, IncrementCommand>)[COMMAND];
    this.increment$ = command.bind(redis);
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerRecord> {
    const base = `${this.prefix}:throttle:${throttlerName}:{${key}}`;
    const [totalHits, windowLeft, blocked, blockLeft] = await this.increment$(
      `${base}:hits`,
      `${base}:blocked`,
      Math.max(1, Math.ceil(ttl)),
      limit,
      Math.max(0, Math.ceil(blockDuration)),
    );
    return {
      totalHits,
      timeToExpire: Math.ceil(windowLeft / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockLeft / 1000),
    };
  }
}

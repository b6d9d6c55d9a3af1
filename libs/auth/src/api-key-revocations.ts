import { randomUUID } from 'node:crypto';

/** The Redis commands the revocation epoch needs (an ioredis client has them). */
export interface RevocationEpochStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, condition: 'NX'): Promise<unknown>;
}

/** Platform-wide, not per service: identity moves it, every service caching API keys reads it. */
export const API_KEY_REVOCATION_EPOCH_KEY = 'onecommons:api-keys:revocation-epoch';

/**
 * A value in Redis that identity replaces with a fresh random one after every revocation has committed (and
 * before it answers): a cached API key answer is used only while the epoch is the one read before asking
 * identity, so no request that starts after a revocation was acknowledged is let in by a cache. Random values,
 * not a counter: a Redis that lost the key and counted again from 1 could hand an old value back. When the key
 * is missing (Redis restarted empty) the first reader makes one, which no cached answer carries.
 */
export class ApiKeyRevocationEpoch {
  constructor(
    private readonly redis: RevocationEpochStore,
    private readonly key = API_KEY_REVOCATION_EPOCH_KEY,
  ) {}

  /** The current epoch; throws when Redis cannot be asked (a cache must then ask identity). */
  async current(): Promise<string> {
    const epoch = await this.redis.get(this.key);
    if (epoch !== null) return epoch;
    await this.redis.set(this.key, randomUUID(), 'NX');
    const made = await this.redis.get(this.key);
    if (made === null) throw new Error('the API key revocation epoch vanished as it was made');
    return made;
  }

  /** After a revocation committed: every answer cached before is void. */
  async advance(): Promise<void> {
    await this.redis.set(this.key, randomUUID());
  }
}

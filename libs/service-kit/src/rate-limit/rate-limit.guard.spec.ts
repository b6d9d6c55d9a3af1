import { type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../errors/domain-error.js';
import { RateLimited, RateLimitGuard, throttlersOf } from './rate-limit.module.js';
import { type ThrottlerRecord } from './redis-throttler-storage.js';

/** Counts hits per key in memory; blocked once over the limit. */
class CountingStorage {
  readonly hits = new Map<string, number>();

  increment(key: string, _ttl: number, limit: number, blockDuration: number): Promise<ThrottlerRecord> {
    const totalHits = (this.hits.get(key) ?? 0) + 1;
    this.hits.set(key, totalHits);
    const isBlocked = totalHits > limit;
    return Promise.resolve({
      totalHits,
      timeToExpire: 60,
      isBlocked,
      timeToBlockExpire: isBlocked ? Math.ceil(blockDuration / 1000) : 0,
    });
  }
}

class Endpoints {
  @RateLimited('login')
  login(): void {}

  /** The same rule through another door (the sign-in page beside the login API). */
  @RateLimited('login')
  signInPage(): void {}

  @RateLimited('login', 'misspelt')
  broken(): void {}

  open(): void {}
}

function contextOf(handler: keyof Endpoints, headers: Record<string, string>) {
  return {
    getHandler: () => Endpoints.prototype[handler],
    getClass: () => Endpoints,
    switchToHttp: () => ({
      getRequest: () => ({ ip: '203.0.113.5', headers: {}, socket: {} }),
      getResponse: () => ({ setHeader: (name: string, value: string) => (headers[name] = value) }),
    }),
  } as unknown as ExecutionContext;
}

async function guardWith(storage: CountingStorage): Promise<RateLimitGuard> {
  const throttlers = throttlersOf(
    ['login', 'registration'].map((name) => ({ name, limit: 2, ttlMs: 60_000, blockMs: 30_000 })),
  );
  const guard = new RateLimitGuard({ throttlers, storage }, storage, new Reflector());
  await guard.onModuleInit();
  return guard;
}

describe('RateLimitGuard', () => {
  it('lets requests through up to the limit, then answers 429 rate_limited with Retry-After', async () => {
    const guard = await guardWith(new CountingStorage());
    const headers: Record<string, string> = {};
    expect(await guard.canActivate(contextOf('login', headers))).toBe(true);
    expect(await guard.canActivate(contextOf('login', headers))).toBe(true);
    const refused = await guard.canActivate(contextOf('login', headers)).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect({ kind: (refused as DomainError).kind, code: (refused as DomainError).code }).toEqual({
      kind: 'rate_limited',
      code: 'rate_limited',
    });
    expect(headers['Retry-After']).toBe('30');
  });

  it('counts a policy once across every endpoint that names it', async () => {
    const guard = await guardWith(new CountingStorage());
    expect(await guard.canActivate(contextOf('login', {}))).toBe(true);
    expect(await guard.canActivate(contextOf('signInPage', {}))).toBe(true);

    const refused = await guard.canActivate(contextOf('signInPage', {})).catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(DomainError);
  });

  it('counts only the policies an endpoint declares', async () => {
    const storage = new CountingStorage();
    const guard = await guardWith(storage);
    await guard.canActivate(contextOf('login', {}));
    expect(storage.hits.size).toBe(1); // `login`, not `registration`
    for (let request = 0; request < 5; request++) {
      expect(await guard.canActivate(contextOf('open', {}))).toBe(true);
    }
    expect(storage.hits.size).toBe(1);
  });

  it('refuses to run with a policy nobody configured, rather than leave the endpoint unlimited', async () => {
    const guard = await guardWith(new CountingStorage());
    await expect(guard.canActivate(contextOf('broken', {}))).rejects.toThrow('unknown policies: misspelt');
  });
});

import { createHash } from 'node:crypto';
import {
  applyDecorators,
  type DynamicModule,
  type ExecutionContext,
  Injectable,
  Module,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import type { ThrottlerLimitDetail, ThrottlerOptions } from '@nestjs/throttler';
import { type Request, type Response } from 'express';
import { type Redis } from 'ioredis';
import { SharedError } from '../errors/shared-errors.js';
import { ApiErrors } from '../openapi/api-docs.decorators.js';
import { REDIS_CLIENT, REDIS_KEY_PREFIX } from '../tokens.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

// @nestjs/throttler is CommonJS and requires ESM-only Nest 12: loaded once @nestjs/common has finished
// evaluating, it never requires ESM in a cycle (which Jest's ESM runtime refuses).
const { DEFAULT_IPV6_SUBNET_PREFIX, normalizeIp, ThrottlerGuard, ThrottlerModule } =
  await import('@nestjs/throttler');

/** One limit: at most `limit` requests per `ttlMs` for each value of its tracker. */
export interface RateLimitPolicy {
  readonly name: string;
  readonly limit: number;
  readonly ttlMs: number;
  /** How long a client stays refused once over the limit; the window length by default. */
  readonly blockMs?: number;
  /**
   * What is counted, from the request (runs before validation: the body is untrusted JSON); by default
   * `clientAddressOf(request)`.
   */
  readonly tracker?: (request: Request) => string;
}

const RATE_LIMITS = 'onecommons:rate-limits';

/**
 * The client's address as rate limits count it: `request.ip` (the gateway's `X-Forwarded-For` is believed
 * only from HTTP_TRUSTED_PROXIES), an IPv6 address widened to its /64, which one subscriber line gets.
 */
export function clientAddressOf(request: Request): string {
  return normalizeIp(request.ip ?? request.socket.remoteAddress ?? 'unknown', DEFAULT_IPV6_SUBNET_PREFIX);
}

/** The policies an endpoint declared with `@RateLimited(...)`; others are not limited at all. */
function policiesOf(context: ExecutionContext): readonly string[] {
  return (Reflect.getMetadata(RATE_LIMITS, context.getHandler()) as string[] | undefined) ?? [];
}

/** @nestjs/throttler's guard, answering in the platform's error shape with a `Retry-After`. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const unknown = policiesOf(context).filter(
      (name) => !this.throttlers.some((known) => known.name === name),
    );
    // A misspelt policy would otherwise leave the endpoint silently unlimited.
    if (unknown.length > 0) throw new Error(`@RateLimited names unknown policies: ${unknown.join(', ')}`);
    return super.canActivate(context);
  }

  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const retryAfter = Math.max(1, detail.timeToBlockExpire);
    context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
    throw new SharedError('rate_limited', 'rate_limited', `Too many requests; retry in ${retryAfter} s.`);
  }
}

/**
 * Limits the endpoint by the named policies of `RateLimitModule.forRoot`: a request over any of them gets
 * a 429 `rate_limited` with `Retry-After`. Counters are per policy and tracked value, shared by every endpoint
 * that names the policy (a rule with two doors, such as the login API and the sign-in page, is one budget)
 * and by all replicas.
 */
export function RateLimited(...policies: readonly [string, ...string[]]): MethodDecorator {
  return applyDecorators(SetMetadata(RATE_LIMITS, policies), UseGuards(RateLimitGuard), ApiErrors(429));
}

/** @nestjs/throttler's options for the policies; each applies only where `@RateLimited` names it. */
export function throttlersOf(policies: readonly RateLimitPolicy[]): ThrottlerOptions[] {
  return policies.map(({ name, limit, ttlMs, blockMs, tracker = clientAddressOf }) => ({
    name,
    limit,
    ttl: ttlMs,
    blockDuration: blockMs ?? ttlMs,
    skipIf: (context: ExecutionContext) => !policiesOf(context).includes(name),
    getTracker: (request: Record<string, unknown>) => tracker(request as unknown as Request),
    // Not the library's default (per controller and handler): one counter per policy and tracked value. Hashed,
    // as the default is: trackers may hold an email address.
    generateKey: (_context: ExecutionContext, tracked: string, policy: string) =>
      createHash('sha256').update(`${policy}-${tracked}`).digest('hex'),
  }));
}

/** Registers a service's rate-limit policies, counted in Redis. Endpoints opt in with `@RateLimited`. */
@Module({})
export class RateLimitModule {
  static forRoot(policies: readonly RateLimitPolicy[]): DynamicModule {
    return {
      module: RateLimitModule,
      global: true,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [REDIS_CLIENT, REDIS_KEY_PREFIX],
          useFactory: (redis: Redis, prefix: string) => ({
            storage: new RedisThrottlerStorage(redis, prefix),
            setHeaders: false,
            throttlers: throttlersOf(policies),
          }),
        }),
      ],
      providers: [RateLimitGuard],
      exports: [RateLimitGuard],
    };
  }
}

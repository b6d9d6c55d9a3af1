import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type Redis } from 'ioredis';
import { type Observable } from 'rxjs';
import { SharedError } from '../errors/shared-errors.js';
import { type ServiceConfig } from '../service-config.js';
import { REDIS_CLIENT, REDIS_KEY_PREFIX, SERVICE_CONFIG } from '../tokens.js';
import { RedisThrottlerStorage } from './redis-throttler-storage.js';

const WINDOW_MS = 60_000;

/** Who an authenticated request is, as the access-policy guard of `@onecommons/auth` left it on the request. */
type RequestPrincipal =
  | { readonly kind: 'account'; readonly subject: string }
  | { readonly kind: 'api_key'; readonly keyId: string };

/** The budget an authenticated request counts against: its account or its API key; none when anonymous. */
export function principalKeyOf(request: Request): string | undefined {
  const principal = (request as Request & { principal?: RequestPrincipal }).principal;
  if (principal?.kind === 'account') return `account:${principal.subject}`;
  if (principal?.kind === 'api_key') return `api-key:${principal.keyId}`;
  return undefined;
}

/**
 * Every authenticated request counts against its principal's budget, HTTP_PRINCIPAL_RATE_LIMIT_PER_MINUTE
 * per service, wherever it comes from: the gateway limits each client address, this limits one account or
 * API key spread over many addresses. Runs after the guards (so the principal is known) and before the
 * handler; over the budget, 429 `rate_limited` with `Retry-After` until the minute's window ends.
 */
@Injectable()
export class PrincipalRateLimitInterceptor implements NestInterceptor {
  private readonly storage: RedisThrottlerStorage;
  private readonly limit: number;

  constructor(
    @Inject(REDIS_CLIENT) redis: Redis,
    @Inject(REDIS_KEY_PREFIX) prefix: string,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.storage = new RedisThrottlerStorage(redis, prefix);
    this.limit = config.HTTP_PRINCIPAL_RATE_LIMIT_PER_MINUTE;
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() !== 'http') return next.handle();
    const key = principalKeyOf(context.switchToHttp().getRequest<Request>());
    if (key === undefined) return next.handle();
    // Block 0: refused only until the window ends, so a busy but honest client is not shut out longer.
    const record = await this.storage.increment(key, WINDOW_MS, this.limit, 0, 'principal');
    if (record.isBlocked) {
      const retryAfter = Math.max(1, record.timeToBlockExpire);
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfter));
      throw new SharedError(
        'rate_limited',
        'rate_limited',
        `Too many requests for this account or API key; retry in ${retryAfter} s.`,
      );
    }
    return next.handle();
  }
}

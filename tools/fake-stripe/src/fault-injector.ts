import { type ServerResponse } from 'node:http';
import { StripeApiError } from './stripe-error.js';

/** A failure the next requests to one path get, as Stripe's edge answers under load or in an incident. */
export interface FaultRule {
  /** Any method when unset. */
  readonly method?: string;
  /** The exact request path, e.g. `/v1/transfers`. */
  readonly path: string;
  readonly status: 429 | 500 | 502 | 503 | 504;
  /** How many requests fail (default 1). */
  readonly count?: number;
  /** Sent as `Retry-After` (seconds). */
  readonly retryAfterSeconds?: number;
  /**
   * The request runs (its idempotency key stores the real answer) but the client gets the failure: a lost
   * response. Without it the request never reaches the API and nothing is stored, as with a 429.
   */
  readonly afterExecution?: boolean;
}

const STATUSES = [429, 500, 502, 503, 504] as const;

export class FaultInjector {
  private readonly rules: { rule: FaultRule; left: number }[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ rule, left: rule.count ?? 1 });
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The fault this request gets, used up, or undefined. */
  take(method: string, path: string): FaultRule | undefined {
    const index = this.rules.findIndex(
      ({ rule }) => rule.path === path && (rule.method === undefined || rule.method.toUpperCase() === method),
    );
    if (index < 0) return undefined;
    const entry = this.rules[index]!;
    entry.left -= 1;
    if (entry.left <= 0) this.rules.splice(index, 1);
    return entry.rule;
  }
}

/** Reads a rule given to `POST /_fake/faults` as JSON. */
export function faultRuleOf(input: unknown): FaultRule {
  const value = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const { method, path, status, count, retryAfterSeconds, afterExecution } = value;
  const fail = (param: string, message: string) => StripeApiError.invalid(param, message);
  if (typeof path !== 'string' || !path.startsWith('/v1/'))
    throw fail('path', 'path must be an API path (/v1/…)');
  if (!STATUSES.includes(status as FaultRule['status']))
    throw fail('status', `status must be one of ${STATUSES.join(', ')}`);
  if (method !== undefined && typeof method !== 'string') throw fail('method', 'method must be a string');
  const positive = (field: unknown) =>
    field === undefined || (Number.isSafeInteger(field) && (field as number) >= 0);
  if (!positive(count) || count === 0) throw fail('count', 'count must be a positive integer');
  if (!positive(retryAfterSeconds))
    throw fail('retryAfterSeconds', 'retryAfterSeconds must be a whole number of seconds');
  if (afterExecution !== undefined && typeof afterExecution !== 'boolean') {
    throw fail('afterExecution', 'afterExecution must be a boolean');
  }
  return {
    path,
    status: status as FaultRule['status'],
    ...(method === undefined ? {} : { method: method.toUpperCase() }),
    ...(count === undefined ? {} : { count: count as number }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds: retryAfterSeconds as number }),
    ...(afterExecution === undefined ? {} : { afterExecution }),
  };
}

/** Stripe's answer to an overloaded (429) or failing (5xx) request; the SDK may retry it (`Stripe-Should-Retry`). */
export function sendFault(response: ServerResponse, rule: FaultRule): void {
  const error =
    rule.status === 429
      ? new StripeApiError(
          429,
          'invalid_request_error',
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
          'rate_limit',
        )
      : new StripeApiError(rule.status, 'api_error', 'An unknown error occurred');
  response.writeHead(rule.status, {
    'content-type': 'application/json',
    'stripe-should-retry': 'true',
    ...(rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) }),
  });
  response.end(JSON.stringify(error.toBody()));
}

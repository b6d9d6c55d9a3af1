import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../../cli-error.js';

/**
 * How a 429 is waited out. The gateway asks for 1 s; a service's limit (identity's login: a minute) for the
 * rest of its window. Each wait is at most MAX_RETRY_AFTER_MS and all of one request's at most
 * RATE_LIMITED_BUDGET_MS: a longer ask is answered with the 429 at once, not by hanging.
 */
export const RATE_LIMIT_WAITS = { maxRetryAfterMs: 65_000, budgetMs: 150_000 } as const;

/** The wait a 429 asks for (`Retry-After`: seconds or an HTTP date), 1 s when it names none. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  const value = header?.trim() ?? '';
  if (/^\d+$/.test(value)) return Math.max(1, Number(value)) * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? 1_000 : Math.max(1_000, date - now);
}

/** An answer the demo did not expect: the request, the status and the platform's error body. */
export class PlatformApiError extends CliError {
  constructor(
    readonly method: string,
    readonly pathname: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${pathname} answered ${status}: ${JSON.stringify(body)}`);
    this.name = 'PlatformApiError';
  }
}

export interface ApiAnswer<Body> {
  readonly status: number;
  readonly body: Body;
  /** The answer's `Retry-After`, for a retryable refusal (a 409 that waits for a fact, a 503). */
  readonly retryAfter: string | null;
}

/** The platform's public HTTP API through the gateway, JSON in and out. */
export class PlatformApi {
  constructor(
    readonly gateway: string,
    private readonly waits: {
      readonly maxRetryAfterMs: number;
      readonly budgetMs: number;
    } = RATE_LIMIT_WAITS,
  ) {}

  /**
   * Like any well-behaved client, waits out a 429 as its `Retry-After` asks, the gateway's (per client
   * address) and a service's (e.g. identity's login limits) alike, within bounds, and retries.
   */
  async request<Body>(
    method: string,
    pathname: string,
    options: { credential?: string; body?: unknown; contentType?: string } = {},
  ): Promise<ApiAnswer<Body>> {
    let waited = 0;
    for (;;) {
      const answer = await this.requestOnce<Body>(method, pathname, options);
      if (answer.status !== 429) return answer;
      const wait = retryAfterMs(answer.retryAfter);
      if (wait > this.waits.maxRetryAfterMs || waited + wait > this.waits.budgetMs) return answer;
      await sleep(wait);
      waited += wait;
    }
  }

  private async requestOnce<Body>(
    method: string,
    pathname: string,
    options: { credential?: string; body?: unknown; contentType?: string },
  ): Promise<ApiAnswer<Body>> {
    let response: Response;
    try {
      response = await fetch(new URL(pathname, this.gateway), {
        method,
        headers: {
          ...(options.body === undefined
            ? {}
            : { 'content-type': options.contentType ?? 'application/json' }),
          ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new CliError(
        `cannot reach the gateway at ${this.gateway} (${error instanceof Error ? error.message : String(error)}); is the platform up (./dev up)?`,
      );
    }
    const text = await response.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: response.status, body: body as Body, retryAfter: response.headers.get('retry-after') };
  }

  /** A request that must answer one of `expected` statuses (default: any 2xx). */
  async expect<Body>(
    method: string,
    pathname: string,
    options: { credential?: string; body?: unknown; statuses?: readonly number[] } = {},
  ): Promise<ApiAnswer<Body>> {
    const answer = await this.request<Body>(method, pathname, options);
    const ok = options.statuses
      ? options.statuses.includes(answer.status)
      : answer.status >= 200 && answer.status < 300;
    if (!ok) throw new PlatformApiError(method, pathname, answer.status, answer.body);
    return answer;
  }
}

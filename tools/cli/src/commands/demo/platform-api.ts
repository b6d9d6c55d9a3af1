import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../../cli-error.js';

const RATE_LIMITED_ATTEMPTS = 6;

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
}

/** The platform's public HTTP API through the gateway, JSON in and out. */
export class PlatformApi {
  constructor(readonly gateway: string) {}

  /** Like any well-behaved client, waits out a 429 (the gateway limits each client address) and retries. */
  async request<Body>(
    method: string,
    pathname: string,
    options: { credential?: string; body?: unknown; contentType?: string } = {},
  ): Promise<ApiAnswer<Body>> {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await this.requestOnce<Body>(method, pathname, options);
      if (answer.status !== 429 || attempt >= RATE_LIMITED_ATTEMPTS) return answer;
      await sleep(Math.min(10, Math.max(1, Number(answer.retryAfter) || 1)) * 1_000);
    }
  }

  private async requestOnce<Body>(
    method: string,
    pathname: string,
    options: { credential?: string; body?: unknown; contentType?: string },
  ): Promise<ApiAnswer<Body> & { retryAfter: string | null }> {
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

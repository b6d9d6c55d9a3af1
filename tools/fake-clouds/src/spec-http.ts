import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** For the specs: calls to the fakes over real HTTP, and polling for what settles with time. */
export const SPEC_TOKEN = 'test-token-123';

export interface Answer<T> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export async function callApi<T>(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Answer<T>> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${SPEC_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** A GET to `baseUrl` as if addressed to `host` (fetch does not let a caller set Host). */
export function getAsHost<T>(
  baseUrl: string,
  host: string,
  path: string,
): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${baseUrl}${path}`, { headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Polls until `probe` returns something other than undefined; fails saying what never happened. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 3_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(5);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Real time that a spec can stop, so that an action is surely still running (or just ended) when it checks. */
export class SpecClock {
  private heldAt: number | null = null;
  readonly now = () => this.heldAt ?? Date.now();

  hold(at = Date.now()): void {
    this.heldAt = at;
  }

  release(): void {
    this.heldAt = null;
  }
}

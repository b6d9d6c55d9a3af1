import { setTimeout as sleep } from 'node:timers/promises';

export { getAsHost } from './as-host.js';

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

import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { PlatformApi, retryAfterMs } from './platform-api.js';

/** A service that answers each request with the next of `answers` (status, Retry-After), then 200s. */
async function serviceAnswering(answers: readonly [number, string | undefined][]) {
  const seen: number[] = [];
  const server = createServer((request, response) => {
    seen.push(Date.now());
    const [status, retryAfter] = answers[seen.length - 1] ?? [200, undefined];
    if (retryAfter !== undefined) response.setHeader('Retry-After', retryAfter);
    response.setHeader('content-type', 'application/json');
    response.statusCode = status;
    request.resume();
    response.end(
      JSON.stringify(
        status === 429 ? { error: { code: 'rate_limited', message: 'slow down' } } : { ok: true },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

let running: Server | undefined;
afterEach(async () => {
  const server = running;
  running = undefined;
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe('retryAfterMs', () => {
  it('reads seconds or an HTTP date, and 1 s when there is neither', () => {
    expect(retryAfterMs('7')).toBe(7_000);
    expect(retryAfterMs('0')).toBe(1_000);
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(retryAfterMs('Wed, 02 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(null)).toBe(1_000);
    expect(retryAfterMs('soon')).toBe(1_000);
  });
});

describe('PlatformApi', () => {
  it('waits out a service’s 429 for as long as its Retry-After asks, then retries', async () => {
    const service = await serviceAnswering([[429, '2']]);
    running = service.server;
    const answer = await new PlatformApi(service.url).request('POST', '/api/identity/v1/sessions', {
      body: {},
    });
    expect(answer).toEqual({ status: 200, body: { ok: true }, retryAfter: null });
    expect(service.seen).toHaveLength(2);
    expect((service.seen[1] ?? 0) - (service.seen[0] ?? 0)).toBeGreaterThanOrEqual(1_900);
  });

  it('answers with the 429 at once when it asks for longer than the longest wait', async () => {
    const service = await serviceAnswering([[429, '900']]);
    running = service.server;
    const started = Date.now();
    const answer = await new PlatformApi(service.url).request('GET', '/api/ledger/v1/x');
    expect(answer).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(service.seen).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops waiting when a request’s waits would exceed their budget', async () => {
    const service = await serviceAnswering([
      [429, '1'],
      [429, '1'],
      [429, '1'],
    ]);
    running = service.server;
    const api = new PlatformApi(service.url, { maxRetryAfterMs: 5_000, budgetMs: 2_500 });
    const answer = await api.request('GET', '/api/ledger/v1/x');
    expect(answer.status).toBe(429);
    expect(service.seen).toHaveLength(3); // waited 1 s twice; a third wait would pass 2.5 s
  });
});

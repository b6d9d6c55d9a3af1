import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type WebhooksStack, startWebhooksStack } from './webhooks-stack.js';

// The per-principal budget every service has (libs/service-kit PrincipalRateLimitInterceptor), exercised
// on webhooks with a small budget. Each test uses keys of its own: the budget is per key, not per test.

const BUDGET = 5;
let stack: WebhooksStack;

beforeAll(async () => {
  stack = await startWebhooksStack({ HTTP_PRINCIPAL_RATE_LIMIT_PER_MINUTE: String(BUDGET) });
});

afterAll(async () => {
  await stack.stop();
});

/** A request from the client address `address`, as the gateway (a trusted proxy) would forward it. */
async function listEndpoints(key: string, address: string) {
  const response = await fetch(`${stack.webhooks.url}/api/webhooks/v1/endpoints`, {
    headers: { authorization: `Bearer ${key}`, 'x-forwarded-for': address },
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: (await response.json()) as { error?: { code: string } },
  };
}

describe('the per-principal rate limit', () => {
  it('counts an API key wherever its requests come from, and only that key', async () => {
    const partner = await stack.organizationWithKey('partner');
    const statuses: number[] = [];
    for (let request = 0; request < BUDGET; request++)
      statuses.push((await listEndpoints(partner.key, `198.51.100.${request}`)).status);
    expect(statuses).toEqual(Array.from({ length: BUDGET }, () => 200));
    const refused = await listEndpoints(partner.key, '198.51.100.200');
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'rate_limited' } } });
    expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);

    // Another key, from the very address that was refused, has its own budget.
    const neighbour = await stack.organizationWithKey('partner');
    expect((await listEndpoints(neighbour.key, '198.51.100.200')).status).toBe(200);
  });

  it('counts an account’s access token too, and leaves anonymous requests to the address limits', async () => {
    const token = stack.adminToken;
    const statuses: number[] = [];
    for (let request = 0; request <= BUDGET; request++)
      statuses.push((await listEndpoints(token, `203.0.113.${request}`)).status);
    expect(statuses).toEqual([...Array.from({ length: BUDGET }, () => 200), 429]);
    for (let request = 0; request <= BUDGET; request++) {
      const open = await fetch(`${stack.webhooks.url}/api/webhooks/v1/event-types`);
      expect(open.status).toBe(200);
    }
  });
});

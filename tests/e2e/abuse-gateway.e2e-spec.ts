import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import pg from 'pg';
import { call, newAccount, newOrganization, PASSWORD } from './gateway-client.js';
import { freshLoopbackAddress, suiteFetch } from './suite-address.js';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';

/**
 * Issue #18: the gateway is the only door. Abuse through it: spellings of the internal API, a client
 * choosing its own X-Forwarded-For to escape rate limits, missing security headers, paths spelt in another
 * letter case, provider API addresses that only look allowed, and more webhook endpoints than an
 * organization may have. Each is refused with a 4xx in the error shape, and changes nothing.
 */

const stack = testStack();
const gateway = stack.gatewayUrl;
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });

interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
}

async function send(pathname: string, init: Parameters<typeof suiteFetch>[1] = {}, base = gateway) {
  const response = await suiteFetch(`${base}${pathname}`, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { response, body, text };
}

const postJson = (
  pathname: string,
  payload: unknown,
  init: Parameters<typeof suiteFetch>[1] = {},
  base = gateway,
) =>
  send(
    pathname,
    {
      ...init,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...Object.fromEntries(new Headers(init.headers)) },
      body: JSON.stringify(payload),
    },
    base,
  );

afterAll(async () => {
  await database.end();
});

describe('the internal API', () => {
  const INTROSPECT = 'api-keys/introspect';
  it.each([
    `/api/identity/v1/internal/${INTROSPECT}`,
    `/api/identity/V1/internal/${INTROSPECT}`,
    `/api/identity/v1/INTERNAL/${INTROSPECT}`,
    `/api/identity/v1/Internal/${INTROSPECT}`,
    `/api/identity/v1//internal/${INTROSPECT}`,
    `/api/identity//v1/internal/${INTROSPECT}`,
    `/api/identity/v1/%69nternal/${INTROSPECT}`,
    `/api/identity/v1/%49NTERNAL/${INTROSPECT}`,
    `/api/identity/v1/internal%2F${INTROSPECT}`,
    `/api/identity/v1/x/../internal/${INTROSPECT}`,
    `/api/identity/v1/x/%2e%2e/internal/${INTROSPECT}`,
    `/api/identity/v1/./internal/${INTROSPECT}`,
    `/api/identity/v1/internal;x/${INTROSPECT}`,
    `/api/catalog/../identity/v1/internal/${INTROSPECT}`,
    `/API/identity/v1/internal/${INTROSPECT}`,
    `/Api/Identity/V1/Internal/${INTROSPECT}`,
  ])('is not reachable through the gateway as %s (404 not_found)', async (spelling) => {
    const { response, body } = await postJson(spelling, { key: 'ock_x' });
    expect({ spelling, status: response.status }).toEqual({ spelling, status: 404 });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect((body as ErrorBody).error.code).toBe('not_found');
    expect(JSON.stringify(body)).not.toContain('active');
  });
});

describe('routes', () => {
  it('are case-sensitive and strict at the service itself: /V1/ and a trailing slash are 404s', async () => {
    const identity = stack.services['identity']?.url ?? '';
    const email = `case-${randomUUID()}@example.org`;
    for (const spelling of [
      '/api/identity/V1/accounts',
      '/api/Identity/v1/accounts',
      '/api/identity/v1/Accounts',
      '/api/identity/v1/accounts/',
    ]) {
      for (const base of [identity, gateway]) {
        const { response, body } = await postJson(spelling, { email, password: PASSWORD }, {}, base);
        expect({ spelling, base, status: response.status }).toEqual({ spelling, base, status: 404 });
        expect((body as ErrorBody).error.code).toBe('not_found');
      }
    }
    const { rows } = await database.query('SELECT 1 FROM identity.accounts WHERE email = $1', [email]);
    expect(rows).toHaveLength(0);
    // The one spelling that is the route works.
    expect((await postJson('/api/identity/v1/accounts', { email, password: PASSWORD })).response.status).toBe(
      201,
    );
  });
});

describe('rate limits', () => {
  it('count the client the gateway sees: a chosen X-Forwarded-For or X-Real-IP buys no fresh budget', async () => {
    const localAddress = freshLoopbackAddress('spoofer');
    const email = `spoofed-${randomUUID()}@example.org`;
    const statuses: number[] = [];
    // identity's `login` budget is 10 a minute per client and email; each attempt claims another client.
    for (let attempt = 0; attempt < 12; attempt++) {
      const { response } = await postJson(
        '/api/identity/v1/sessions',
        { email, password: 'not the password' },
        {
          localAddress,
          headers: {
            'x-forwarded-for': `198.51.100.${attempt}, 203.0.113.${attempt}`,
            'x-real-ip': `192.0.2.${attempt}`,
            forwarded: `for=192.0.2.${attempt}`,
          },
        },
      );
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('at the gateway are per client: a burst from one address leaves another untouched', async () => {
    const noisy = freshLoopbackAddress('noisy');
    const answers = await Promise.all(
      Array.from({ length: 300 }, () =>
        suiteFetch(`${gateway}/api/webhooks/v1/event-types`, { localAddress: noisy }),
      ),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(((await limited[0]?.json()) as ErrorBody).error.code).toBe('rate_limited');
    // The gateway's own refusal carries the security headers too.
    expect(limited[0]?.headers.get('x-content-type-options')).toBe('nosniff');
    expect(limited[0]?.headers.get('content-security-policy')).toContain("default-src 'none'");
    const quiet = await send('/api/webhooks/v1/event-types', { localAddress: freshLoopbackAddress('quiet') });
    expect(quiet.response.status).toBe(200);
  });
});

describe('security headers', () => {
  const EXPECTED = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  };
  const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

  it.each([
    ['a service answer', 'GET', '/api/webhooks/v1/event-types', 200],
    ['a service error', 'GET', '/api/identity/v1/no-such-endpoint', 404],
    ['a service refusal', 'POST', '/api/identity/v1/accounts', 400],
    ['the gateway’s own 404', 'GET', '/nowhere', 404],
    ['the internal API', 'POST', '/api/identity/v1/internal/api-keys/introspect', 404],
    ['the gateway’s health', 'GET', '/health', 200],
    ['an OpenAPI document', 'GET', '/api/identity/openapi.json', 200],
  ])('are on %s', async (_what, method, pathname, status) => {
    const { response } = await send(pathname, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    });
    expect(response.status).toBe(status);
    for (const [name, value] of Object.entries(EXPECTED))
      expect({ name, value: response.headers.get(name) }).toEqual({ name, value });
    expect(response.headers.get('content-security-policy')).toContain(API_POLICY);
  });

  it('let the Swagger UI load its own scripts, styles and document, and nothing from elsewhere', async () => {
    const page = await send('/api/identity/docs');
    expect(page.response.status).toBe(200);
    const policy = page.response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
    // Every script the page runs is a file of its own origin (an inline one would be blocked).
    const scripts = [...page.text.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(attributes).toMatch(/src=['"]\.?\/?[^'":]+['"]/);
      expect(inline?.trim()).toBe('');
    }
    for (const [, attributes] of scripts) {
      const src = /src=['"]([^'"]+)['"]/.exec(attributes ?? '')?.[1] ?? '';
      const asset = await send(new URL(src, `${gateway}/api/identity/docs`).pathname);
      expect({ src, status: asset.response.status }).toEqual({ src, status: 200 });
    }
  });
});

describe('provider accounts', () => {
  let owner: Awaited<ReturnType<typeof newAccount>>;
  let organization: string;
  const clouds = JSON.parse(readFileSync(path.join(stack.envDir, '..', 'fake-clouds.json'), 'utf8')) as {
    hetznerBaseUrl: string;
    token: string;
  };

  beforeAll(async () => {
    owner = await newAccount('provider-abuser');
    organization = await newOrganization(owner, 'provider');
  });

  const allowed = new URL(clouds.hetznerBaseUrl);
  it.each([
    `https://api.hetzner.cloud.evil.example/v1`,
    `https://api.hetzner.cloud@evil.example/v1`,
    `https://api.hetzner.cloud:443@evil.example/v1`,
    `https://user:pw@api.hetzner.cloud/v1`,
    `https://api.hetzner.cloud./v1`,
    `https://api.hetzner.cloud:8443/v1`,
    `http://api.hetzner.cloud/v1`,
    `https://api.hetzner.cloud/v1evil`,
    `https://api.hetzner.cloud/v1?x=http://169.254.169.254`,
    `https://api.digitalocean.com.evil.example`,
    `http://${allowed.hostname}.evil.example:${allowed.port}/v1`,
    `http://${allowed.host}@evil.example/v1`,
    `http://${allowed.hostname}:${Number(allowed.port) + 7}/v1`,
    `http://169.254.169.254/latest/meta-data`,
  ])('cannot point at %s (400 base_url_not_allowed, nothing stored)', async (baseUrl) => {
    const name = `abuse-${randomUUID()}`;
    const answer = await call<ErrorBody>(
      'POST',
      `/api/provisioner/v1/organizations/${organization}/provider-accounts`,
      {
        credential: owner.token,
        body: {
          name,
          api: 'hetzner',
          baseUrl,
          token: clouds.token,
          image: 'debian-12',
          regions: ['fsn1'],
          sizes: [{ name: 'cx22', vcpus: 2, memoryMb: 4096, diskGb: 40, monthlyPriceMinor: 459 }],
          currency: 'EUR',
          maxServers: 1,
        },
      },
    );
    expect({ baseUrl, status: answer.status, error: answer.body.error }).toMatchObject({
      baseUrl,
      status: 400,
      error: { code: 'base_url_not_allowed', field: 'baseUrl' },
    });
    const { rows } = await database.query('SELECT 1 FROM provisioner.provider_accounts WHERE name = $1', [
      name,
    ]);
    expect(rows).toHaveLength(0);
  });
});

describe('webhook endpoints', () => {
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });

  afterAll(async () => {
    await receiver.stop();
  });

  it('are bounded per organization: past the limit, 409 limit_reached and nothing stored', async () => {
    const partner = await newAccount('webhook-hoarder');
    const organization = await newOrganization(partner, 'developer');
    const key = await call<{ key: string }>(
      'POST',
      `/api/identity/v1/organizations/${organization}/api-keys`,
      {
        credential: partner.token,
        body: { name: 'webhooks', scopes: ['webhooks:manage'] },
      },
    );
    expect(key.status).toBe(201);
    const register = (index: number) =>
      receiver.register(key.body.key, ['onecommons.catalog.app.registered.v1'], `/${index}`);
    const LIMIT = 20; // WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION's default; ./dev does not set it
    for (let index = 0; index < LIMIT; index++) expect((await register(index)).status).toBe(201);
    const refused = await register(LIMIT);
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'limit_reached' } } });
    const { rows } = await database.query(
      'SELECT count(*)::int AS count FROM webhooks.endpoints WHERE organization_id = $1',
      [organization],
    );
    expect(rows[0]).toEqual({ count: LIMIT });
  });
});

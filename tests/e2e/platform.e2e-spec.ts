import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from '@jest/globals';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import { freshLoopbackAddress, suiteFetch } from './suite-address.js';

// The platform as `./dev` runs it: every service as its own process, reached through the nginx gateway.

const stack = testStack();
const gateway = stack.gatewayUrl;
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });

afterAll(async () => {
  await database.end();
});

interface ErrorBody {
  readonly error: {
    readonly code: string;
    readonly message: string;
    readonly field?: string;
    readonly requestId: string;
  };
}

async function send(path: string, init: Parameters<typeof suiteFetch>[1] = {}) {
  const response = await suiteFetch(`${gateway}${path}`, init);
  const text = await response.text();
  return { response, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}

const postJson = (path: string, payload: unknown, headers: Record<string, string> = {}) =>
  send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });

describe('the gateway', () => {
  it('answers its own health check', async () => {
    const { response, body } = await send('/health');
    expect(response.status).toBe(200);
    expect(body).toEqual({ status: 'ok' });
  });

  it('gives a JSON 404 with a request id outside /api/<service>/', async () => {
    const { response, body } = await send('/nowhere');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    const { error } = body as ErrorBody;
    expect(error.code).toBe('not_found');
    expect(error.requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('x-request-id')).toBe(error.requestId);
  });

  it('keeps a caller-supplied request id and passes it to the service', async () => {
    const requestId = `e2e-${randomUUID()}`;
    const { response, body } = await postJson(
      '/api/identity/v1/accounts',
      { email: 'not-an-email' },
      {
        'x-request-id': requestId,
      },
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('x-request-id')).toBe(requestId);
    expect((body as ErrorBody).error.requestId).toBe(requestId);
  });

  it('routes /api/<service>/ to every service', async () => {
    for (const service of Object.keys(stack.services)) {
      const { response, body } = await send(`/api/${service}/no-such-endpoint`);
      expect({ service, status: response.status }).toEqual({ service, status: 404 });
      // The service's own error format, not the gateway's: the request reached it.
      expect((body as ErrorBody).error.message).not.toContain('Services live under');
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('keeps service-to-service endpoints off the public gateway', async () => {
    const { response, body } = await postJson('/api/identity/v1/internal/api-keys/introspect', {
      key: 'ock_x',
    });
    expect(response.status).toBe(404);
    expect((body as ErrorBody).error.message).toContain('Services live under');
    const direct = await fetch(
      `${stack.services['identity']?.url}/api/identity/v1/internal/api-keys/introspect`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'ock_x' }),
      },
    );
    // Even at identity's own port, only a platform service (with the internal credential) is answered.
    expect(direct.status).toBe(401);
    expect(await direct.json()).toMatchObject({ error: { code: 'internal_credential_required' } });
  });

  it('rejects a body over the limit with a JSON 413 before it reaches a service', async () => {
    const { response, body } = await send('/api/identity/v1/accounts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x@example.org', password: 'p'.repeat(2 * 1024 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect((body as ErrorBody).error.code).toBe('payload_too_large');
  });
});

describe('a subscriber registering', () => {
  it('goes gateway → identity → outbox → Kafka → metering → its Postgres schema', async () => {
    const email = `Round.Trip+${randomUUID()}@Example.org`;
    const { response, body } = await postJson('/api/identity/v1/accounts', {
      email,
      password: 'a long enough passphrase',
    });
    expect(response.status).toBe(201);
    const account = body as { id: string; email: string };
    expect(account.email).toBe(email.toLowerCase());

    const projected = await eventually('metering to project the new subscriber', async () => {
      const { rows } = await database.query<{ subscriber_id: string; plan: string }>(
        'SELECT subscriber_id, plan FROM metering.subscribers WHERE subscriber_id = $1',
        [account.id],
      );
      return rows[0];
    });
    expect(projected).toEqual({ subscriber_id: account.id, plan: 'free' });

    const duplicate = await postJson('/api/identity/v1/accounts', { email, password: 'another passphrase!' });
    expect(duplicate.response.status).toBe(409);
    expect((duplicate.body as ErrorBody).error.code).toBe('email_unavailable');
  });
});

describe('every service', () => {
  it('is ready and exports Prometheus metrics', async () => {
    for (const [service, { url }] of Object.entries(stack.services)) {
      const ready = await fetch(`${url}/health/ready`);
      expect({ service, status: ready.status }).toEqual({ service, status: 200 });
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('onecommons_http_requests_total');
      expect(metrics).toContain('onecommons_process_resident_memory_bytes');
    }
  });
});

describe('API documentation through the gateway', () => {
  interface DocsIndex {
    readonly services: readonly {
      readonly service: string;
      readonly openapi: string;
      readonly docs: string;
    }[];
  }

  it('indexes every service’s OpenAPI document and Swagger UI at /api/docs', async () => {
    const { response, body } = await send('/api/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const { services } = body as DocsIndex;
    expect(services.map((entry) => entry.service).sort()).toEqual(Object.keys(stack.services).sort());
    for (const { service, openapi, docs } of services) {
      expect({ openapi, docs }).toEqual({
        openapi: `/api/${service}/openapi.json`,
        docs: `/api/${service}/docs`,
      });
    }
  });

  it('passes each service’s document and Swagger UI through', async () => {
    const { services } = (await send('/api/docs')).body as DocsIndex;
    for (const { service, openapi, docs } of services) {
      const document = await send(openapi);
      expect({ service, status: document.response.status }).toEqual({ service, status: 200 });
      const { openapi: version, paths } = document.body as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(version).toBe('3.1.0');
      expect(Object.keys(paths).every((path) => path.startsWith(`/api/${service}/`))).toBe(true);
      const page = await suiteFetch(`${gateway}${docs}`);
      expect({ service, status: page.status }).toEqual({ service, status: 200 });
      expect(await page.text()).toContain('swagger-ui');
    }
    const identityPaths = Object.keys(
      ((await send('/api/identity/openapi.json')).body as { paths: object }).paths,
    );
    expect(identityPaths).toEqual(
      expect.arrayContaining(['/api/identity/v1/sessions', '/api/identity/v1/accounts']),
    );
  });
});

describe('login through the gateway', () => {
  it('is limited per client address as the gateway sees it, with the service’s 429', async () => {
    // A client address of its own, so this test does not spend the budget other tests log in with. The
    // X-Forwarded-For it claims changes every time and counts for nothing: the gateway overwrites it.
    const localAddress = freshLoopbackAddress('login');
    const email = `limited-${randomUUID()}@example.org`;
    const attempt = (index: number, address = localAddress) =>
      send('/api/identity/v1/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${index}` },
        body: JSON.stringify({ email, password: 'not the password' }),
        localAddress: address,
      });
    const statuses = [];
    for (let index = 0; index < 10; index++) statuses.push((await attempt(index)).response.status);
    expect(statuses).toEqual(Array.from({ length: 10 }, () => 401));
    const limited = await attempt(10);
    expect(limited.response.status).toBe(429);
    expect(Number(limited.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const { error } = limited.body as ErrorBody;
    expect(error.code).toBe('rate_limited');
    expect(error.message).not.toBe('Too many requests; retry later.'); // identity's answer, not nginx's
    expect(limited.response.headers.get('x-request-id')).toBe(error.requestId);
    // Another client trying the same account is not refused.
    const other = await attempt(11, freshLoopbackAddress('login-other'));
    expect(other.response.status).toBe(401);
  });
});

// Last: it spends this client's rate budget.
describe('the gateway under a burst', () => {
  it('answers the excess with JSON 429s and a Retry-After', async () => {
    // From an address of its own: the burst spends only that client's budget.
    const localAddress = freshLoopbackAddress('burst');
    const responses = await Promise.all(
      Array.from({ length: 400 }, () =>
        suiteFetch(`${gateway}/api/identity/no-such-endpoint`, { localAddress }),
      ),
    );
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const sample = limited[0];
    expect(sample?.headers.get('retry-after')).toBe('1');
    expect(((await sample?.json()) as ErrorBody).error.code).toBe('rate_limited');
    await Promise.all(
      responses.filter((response) => !response.bodyUsed).map((response) => response.body?.cancel()),
    );
  });
});

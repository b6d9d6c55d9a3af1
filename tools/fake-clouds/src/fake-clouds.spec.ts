import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDigitalOcean } from './digitalocean-dialect.js';
import { type FakeCloud } from './fake-cloud-server.js';
import { matchesSelector, startFakeHetzner } from './hetzner-dialect.js';

const token = 'test-token-123';
let clock = 1_800_000_000_000;
const now = () => clock;
let hetzner: FakeCloud;
let digitalocean: FakeCloud;

beforeAll(async () => {
  hetzner = await startFakeHetzner({
    token,
    now,
    actionDurationMs: 1_000,
    rateLimit: { limit: 5, windowMs: 60_000 },
  });
  digitalocean = await startFakeDigitalOcean({ token, now, actionDurationMs: 1_000 });
});

afterAll(async () => {
  await hetzner.close();
  await digitalocean.close();
});

/** The fields these tests read from the fakes' answers. */
interface Answer {
  readonly server: { readonly id: number };
  readonly action: { readonly id: number };
  readonly droplet: { readonly id: number };
  readonly links: { readonly actions: { id: number; rel: string; href: string }[] };
  readonly error: unknown;
  readonly servers: unknown;
  readonly droplets: unknown;
}

async function call(fake: FakeCloud, method: string, path: string, body?: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: (text ? JSON.parse(text) : {}) as Answer,
  };
}

describe('fake Hetzner Cloud', () => {
  it('creates a server with a running action, locks it, then the action succeeds', async () => {
    const created = await call(hetzner, 'POST', '/v1/servers', {
      name: 'web-1',
      server_type: 'cx22',
      image: 'debian-12',
      location: 'fsn1',
      labels: { app: 'wiki' },
    });
    expect(created.status).toBe(201);
    expect(created.body['server']).toMatchObject({
      name: 'web-1',
      status: 'initializing',
      labels: { app: 'wiki' },
      locked: true,
    });
    expect(created.body['action']).toMatchObject({
      command: 'create_server',
      status: 'running',
      error: null,
    });
    const id = created.body['server'].id as number;
    expect((await call(hetzner, 'DELETE', `/v1/servers/${id}`)).body['error']).toMatchObject({
      code: 'locked',
    });
    expect(
      (await call(hetzner, 'POST', '/v1/servers', { name: 'web-1', server_type: 'cx22', image: 'debian-12' }))
        .status,
    ).toBe(409);
    clock += 1_000;
    expect(
      (await call(hetzner, 'GET', `/v1/actions/${created.body['action'].id}`)).body['action'],
    ).toMatchObject({ status: 'success' });
    const listed = await call(hetzner, 'GET', '/v1/servers?label_selector=app%3D%3Dwiki');
    expect(listed.body['servers']).toMatchObject([{ id, status: 'running' }]);
    expect(listed.headers.get('ratelimit-limit')).toBe('5');
    expect(listed.headers.get('ratelimit-remaining')).toBe('0');
    const limited = await call(hetzner, 'GET', '/v1/servers');
    expect(limited.status).toBe(429);
    expect(limited.body['error']).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(Number(limited.headers.get('ratelimit-reset'))).toBe(
      Math.ceil((1_800_000_000_000 + 60_000) / 1_000),
    );
    clock += 60_000;
    expect((await call(hetzner, 'GET', '/v1/servers')).status).toBe(200);
  });

  it('refuses a wrong token and injected faults behave as asked', async () => {
    const refused = await fetch(`${hetzner.url}/v1/servers`, { headers: { authorization: 'Bearer nope' } });
    expect(refused.status).toBe(401);
    hetzner.faults.failNext(1, { afterApplying: true, method: 'POST' });
    const failed = await call(hetzner, 'POST', '/v1/servers', {
      name: 'web-2',
      server_type: 'cx22',
      image: 'debian-12',
    });
    expect(failed.status).toBe(500);
    expect([...hetzner.state.servers.values()].map((server) => server.name)).toContain('web-2');
    hetzner.faults.errorNextActions(1);
    const doomed = await call(hetzner, 'POST', '/v1/servers', {
      name: 'web-3',
      server_type: 'cx22',
      image: 'debian-12',
    });
    clock += 1_000;
    expect(
      (await call(hetzner, 'GET', `/v1/actions/${doomed.body['action'].id}`)).body['action'],
    ).toMatchObject({ status: 'error', error: { code: 'action_failed' } });
  });

  it('selects by labels like Hetzner', () => {
    const labels = { 'managed-by': 'onecommons', env: 'prod' };
    expect(matchesSelector(labels, 'managed-by==onecommons,env=prod')).toBe(true);
    expect(matchesSelector(labels, 'env!=prod')).toBe(false);
    expect(matchesSelector(labels, 'env,!other')).toBe(true);
    expect(matchesSelector(labels, 'other')).toBe(false);
  });
});

describe('fake DigitalOcean', () => {
  it('answers 202 with the droplet and its action link, filters by tag, deletes with 204', async () => {
    const created = await call(digitalocean, 'POST', '/v2/droplets', {
      name: 'web-1',
      region: 'ams3',
      size: 's-1vcpu-2gb',
      image: 'debian-12-x64',
      tags: ['team:a'],
    });
    expect(created.status).toBe(202);
    expect(created.body['droplet']).toMatchObject({
      name: 'web-1',
      status: 'new',
      tags: ['team:a'],
      locked: true,
    });
    const [link] = created.body['links'].actions as { id: number; rel: string; href: string }[];
    expect(link).toMatchObject({ rel: 'create', href: `${digitalocean.url}/v2/actions/${link?.id}` });
    const id = created.body['droplet'].id as number;
    expect(await call(digitalocean, 'DELETE', `/v2/droplets/${id}`)).toMatchObject({
      status: 422,
      body: { id: 'unprocessable_entity' },
    });
    expect((await call(digitalocean, 'GET', `/v2/actions/${link?.id}`)).body['action']).toMatchObject({
      status: 'in-progress',
    });
    clock += 1_000;
    expect((await call(digitalocean, 'GET', `/v2/actions/${link?.id}`)).body['action']).toMatchObject({
      status: 'completed',
      type: 'create',
    });
    expect(
      (await call(digitalocean, 'GET', '/v2/droplets?tag_name=team%3Aa')).body['droplets'],
    ).toMatchObject([{ id, status: 'active' }]);
    expect((await call(digitalocean, 'GET', '/v2/droplets?tag_name=team%3Ab')).body['droplets']).toEqual([]);
    const deleted = await call(digitalocean, 'DELETE', `/v2/droplets/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.headers.get('ratelimit-remaining')).not.toBeNull();
    clock += 1_000;
    expect((await call(digitalocean, 'GET', `/v2/droplets/${id}`)).status).toBe(404);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeDigitalOcean } from './digitalocean-dialect.js';
import { type FakeCloud } from './fake-cloud-server.js';
import { callApi, SPEC_TOKEN, SpecClock, until } from './spec-http.js';

/** The fields these specs read from the fake DigitalOcean's answers. */
interface Answer {
  readonly droplet: { readonly id: number; readonly status: string; readonly networks: { v4: unknown[] } };
  readonly links: {
    readonly actions: readonly { readonly id: number }[];
    readonly pages?: Record<string, string>;
  };
  readonly action: { readonly id: number; readonly type: string; readonly status: string };
  readonly volume: { readonly id: string; readonly droplet_ids: readonly number[] };
  readonly firewall: { readonly id: string; readonly status: string };
  readonly firewalls: readonly { readonly name: string }[];
  readonly domains: readonly { readonly name: string }[];
  readonly domain_record: { readonly id: number };
  readonly domain_records: readonly unknown[];
  readonly meta: { readonly total: number };
  readonly id: string;
}

let digitalocean: FakeCloud;
const clock = new SpecClock();
const call = (method: string, path: string, body?: unknown) =>
  callApi<Answer>(digitalocean.url, method, path, body);

const settled = (action: { id: number }) =>
  until(`action ${action.id}`, async () => {
    const { body } = await call('GET', `/v2/actions/${action.id}`);
    return body.action.status === 'in-progress' ? undefined : body.action;
  });

async function activeDroplet(name: string, extra: Record<string, unknown> = {}) {
  const created = await call('POST', '/v2/droplets', {
    name,
    region: 'ams3',
    size: 's-1vcpu-2gb',
    image: 'debian-12-x64',
    ...extra,
  });
  expect(created.status).toBe(202);
  await settled(created.body.links.actions[0] as { id: number });
  return created.body.droplet;
}

async function volume(name: string, region = 'ams3') {
  const created = await call('POST', '/v2/volumes', {
    name,
    size_gigabytes: 10,
    region,
    filesystem_type: 'ext4',
  });
  expect(created.status).toBe(201);
  return created.body.volume;
}

beforeAll(async () => {
  digitalocean = await startFakeDigitalOcean({ token: SPEC_TOKEN, actionDurationMs: 20, now: clock.now });
});

afterAll(() => digitalocean.close());

describe('fake DigitalOcean droplets', () => {
  it('creates a droplet with user data and volumes; its networks show once it is active', async () => {
    const data = await volume('wiki-data');
    expect(data).toMatchObject({ droplet_ids: [], region: { slug: 'ams3' }, filesystem_type: 'ext4' });
    const created = await call('POST', '/v2/droplets', {
      name: 'wiki-1',
      region: 'ams3',
      size: 's-1vcpu-2gb',
      image: 'debian-12-x64',
      user_data: '#cloud-config\n',
      volumes: [data.id],
    });
    expect(created.body.droplet).toMatchObject({
      status: 'new',
      networks: { v4: [] },
      volume_ids: [data.id],
    });
    await settled(created.body.links.actions[0] as { id: number });
    const { droplet } = (await call('GET', `/v2/droplets/${created.body.droplet.id}`)).body;
    expect(droplet).toMatchObject({
      status: 'active',
      size_slug: 's-1vcpu-2gb',
      networks: { v4: [{ ip_address: expect.stringMatching(/^100\./), type: 'public' }] },
    });
    expect((await call('GET', `/v2/volumes/${data.id}`)).body.volume.droplet_ids).toEqual([droplet.id]);
  });

  it('refuses user data over 64 KiB and volumes it cannot use', async () => {
    const create = (name: string, extra: Record<string, unknown>) =>
      call('POST', '/v2/droplets', {
        name,
        region: 'ams3',
        size: 's-1vcpu-1gb',
        image: 'debian-12-x64',
        ...extra,
      });
    const attached = (await call('GET', '/v2/volumes?name=wiki-data')).body as unknown as {
      volumes: { id: string }[];
    };
    const elsewhere = await volume('far-data', 'fra1');
    expect(await create('big', { user_data: 'x'.repeat(64 * 1_024 + 1) })).toMatchObject({
      status: 422,
      body: { id: 'unprocessable_entity' },
    });
    expect((await create('taken', { volumes: [attached.volumes[0]?.id] })).status).toBe(422);
    expect((await create('far', { volumes: [elsewhere.id] })).status).toBe(422);
    expect((await create('none', { volumes: ['no-such-volume'] })).status).toBe(422);
  });

  it('powers off, resizes only while off, and powers on; one event at a time', async () => {
    const droplet = await activeDroplet('resize-1');
    const act = (body: Record<string, unknown>) => call('POST', `/v2/droplets/${droplet.id}/actions`, body);
    expect(await act({ type: 'resize', size: 's-2vcpu-4gb', disk: false })).toMatchObject({
      status: 422,
      body: { id: 'unprocessable_entity' },
    });
    expect((await act({ type: 'reboot-into-space' })).status).toBe(422);

    clock.hold();
    const off = await act({ type: 'power_off' });
    expect(off).toMatchObject({
      status: 201,
      body: {
        action: {
          type: 'power_off',
          status: 'in-progress',
          resource_id: droplet.id,
          resource_type: 'droplet',
          region_slug: 'ams3',
        },
      },
    });
    expect(await act({ type: 'power_on' })).toMatchObject({
      status: 422,
      body: { message: 'Droplet already has a pending event.' },
    });
    clock.release();
    await settled(off.body.action);
    expect(digitalocean.state.servers.get(droplet.id)).toMatchObject({ status: 'off', runningSince: null });

    expect((await act({ type: 'resize', size: 's-99' })).status).toBe(422);
    const resized = await act({ type: 'resize', size: 's-2vcpu-4gb', disk: false });
    expect(resized).toMatchObject({ status: 201, body: { action: { type: 'resize' } } });
    await settled(resized.body.action);
    expect((await call('GET', `/v2/droplets/${droplet.id}`)).body.droplet).toMatchObject({
      status: 'off',
      size_slug: 's-2vcpu-4gb',
      memory: 4_096,
    });
    await settled((await act({ type: 'power_on' })).body.action);
    expect(digitalocean.state.servers.get(droplet.id)).toMatchObject({
      status: 'running',
      runningSince: expect.any(Number),
    });
    expect((await act({ type: 'shutdown' })).body.action.type).toBe('shutdown');
  });
});

describe('fake DigitalOcean volumes', () => {
  it('validates names, attaches in the region only, refuses deleting while attached, detaches, deletes', async () => {
    expect(
      await call('POST', '/v2/volumes', { name: 'Data_1', size_gigabytes: 10, region: 'ams3' }),
    ).toMatchObject({
      status: 422,
      body: { id: 'unprocessable_entity' },
    });
    expect(
      (await call('POST', '/v2/volumes', { name: '1data', size_gigabytes: 10, region: 'ams3' })).status,
    ).toBe(422);
    const data = await volume('db-data');
    expect(
      await call('POST', '/v2/volumes', { name: 'db-data', size_gigabytes: 10, region: 'ams3' }),
    ).toMatchObject({
      status: 409,
      body: { id: 'conflict' },
    });
    expect(
      (await call('POST', '/v2/volumes', { name: 'db-data', size_gigabytes: 10, region: 'fra1' })).status,
    ).toBe(201);

    const act = (type: string, dropletId: number) =>
      call('POST', `/v2/volumes/${data.id}/actions`, { type, droplet_id: dropletId, region: 'ams3' });
    const inFra = await activeDroplet('db-fra', { region: 'fra1' });
    expect((await act('attach', inFra.id)).status).toBe(422);
    const inAms = await activeDroplet('db-ams');
    clock.hold();
    const attached = await act('attach', inAms.id);
    expect(attached).toMatchObject({
      status: 202,
      body: {
        action: {
          type: 'attach_volume',
          status: 'in-progress',
          resource_type: 'volume',
          region_slug: 'ams3',
        },
      },
    });
    expect(await act('attach', inAms.id)).toMatchObject({
      status: 422,
      body: { message: 'Droplet already has a pending event.' },
    });
    clock.release();
    await settled(attached.body.action);
    expect((await call('GET', `/v2/volumes/${data.id}`)).body.volume.droplet_ids).toEqual([inAms.id]);
    expect((await call('GET', `/v2/droplets/${inAms.id}`)).body.droplet).toMatchObject({
      volume_ids: [data.id],
    });
    expect(await call('DELETE', `/v2/volumes/${data.id}`)).toMatchObject({
      status: 409,
      body: { id: 'conflict' },
    });

    expect(await act('detach', inFra.id)).toMatchObject({
      status: 422,
      body: { message: 'Attachment not found' },
    });
    const detached = await act('detach', inAms.id);
    expect(detached).toMatchObject({ status: 202, body: { action: { type: 'detach_volume' } } });
    await settled(detached.body.action);
    expect((await call('DELETE', `/v2/volumes/${data.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v2/volumes/${data.id}`)).status).toBe(404);
  });

  it('filters volumes by name and region, and pages them', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await volume(name, 'lon1');
    const first = await call('GET', '/v2/volumes?region=lon1&per_page=2');
    expect(first.body).toMatchObject({
      meta: { total: 3 },
      links: { pages: { next: expect.stringContaining('page=2') } },
    });
    const next = new URL(first.body.links.pages?.['next'] as string);
    expect(next.searchParams.get('region')).toBe('lon1');
    const second = await call('GET', `${next.pathname}${next.search}`);
    expect(second.body).toMatchObject({
      volumes: [{ name: 'page-c' }],
      links: { pages: { prev: expect.any(String) } },
    });
    expect(second.body.links.pages?.['next']).toBeUndefined();
  });
});

describe('fake DigitalOcean firewalls', () => {
  it('creates firewalls for droplets and tags, validates names and rules, pages, deletes', async () => {
    const droplet = await activeDroplet('fw-target', { tags: ['wiki'] });
    const rules = {
      inbound_rules: [{ protocol: 'tcp', ports: '443', sources: { addresses: ['0.0.0.0/0', '::/0'] } }],
      outbound_rules: [{ protocol: 'udp', ports: 'all', destinations: { addresses: ['0.0.0.0/0'] } }],
    };
    const created = await call('POST', '/v2/firewalls', {
      name: 'fw-1',
      ...rules,
      droplet_ids: [droplet.id],
      tags: ['wiki'],
    });
    expect(created).toMatchObject({
      status: 202,
      body: {
        firewall: {
          name: 'fw-1',
          status: 'waiting',
          inbound_rules: rules.inbound_rules,
          outbound_rules: rules.outbound_rules,
          droplet_ids: [droplet.id],
          tags: ['wiki'],
          pending_changes: [],
        },
      },
    });
    expect(created.body.firewall.id).toMatch(/^[0-9a-f-]{36}$/);
    await until('the firewall in place', async () => {
      const { body } = await call('GET', `/v2/firewalls/${created.body.firewall.id}`);
      return body.firewall.status === 'succeeded' ? true : undefined;
    });
    expect((await call('POST', '/v2/firewalls', { name: 'fw bad', ...rules })).status).toBe(422);
    const badRule = { inbound_rules: [{ protocol: 'tcp', sources: { addresses: ['0.0.0.0/0'] } }] };
    expect((await call('POST', '/v2/firewalls', { name: 'fw-2', ...badRule })).status).toBe(422);
    expect((await call('POST', '/v2/firewalls', { name: 'fw-2', droplet_ids: [99] })).status).toBe(422);
    await call('POST', '/v2/firewalls', { name: 'fw-2', ...rules });
    await call('POST', '/v2/firewalls', { name: 'fw-3', ...rules });

    const first = await call('GET', '/v2/firewalls?per_page=2');
    expect(first.body.firewalls.map((firewall) => firewall.name)).toEqual(['fw-1', 'fw-2']);
    expect(first.body).toMatchObject({
      meta: { total: 3 },
      links: { pages: { next: expect.any(String), last: expect.any(String) } },
    });
    expect((await call('GET', '/v2/firewalls?per_page=2&page=2')).body.firewalls).toMatchObject([
      { name: 'fw-3' },
    ]);
    expect((await call('DELETE', `/v2/firewalls/${created.body.firewall.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v2/firewalls/${created.body.firewall.id}`)).status).toBe(404);
  });
});

describe('fake DigitalOcean domains', () => {
  it('lists the domains the account has, and creates, lists, updates and deletes records', async () => {
    const domains = await call('GET', '/v2/domains');
    expect(domains.body).toMatchObject({
      domains: [{ name: 'example.org', ttl: 1800 }, { name: 'demo.onecommons.test' }],
      meta: { total: 2 },
    });
    const create = (record: Record<string, unknown>) =>
      call('POST', '/v2/domains/example.org/records', record);
    const created = await create({ type: 'A', name: 'wiki', data: '100.64.0.9', ttl: 300 });
    expect(created).toMatchObject({
      status: 201,
      body: {
        domain_record: {
          type: 'A',
          name: 'wiki',
          data: '100.64.0.9',
          ttl: 300,
          priority: null,
          port: null,
          weight: null,
        },
      },
    });
    expect((await create({ type: 'A', name: 'bad', data: 'not-an-ip' })).status).toBe(422);
    expect((await create({ type: 'A', data: '100.64.0.9' })).status).toBe(422);
    await create({ type: 'A', name: '@', data: '100.64.0.11' });
    await create({ type: 'TXT', name: 'wiki', data: 'hello' });

    const listed = await call('GET', '/v2/domains/example.org/records?type=A&name=wiki.example.org');
    expect(listed.body).toMatchObject({
      domain_records: [{ name: 'wiki', data: '100.64.0.9' }],
      meta: { total: 1 },
    });
    const apex = await call('GET', '/v2/domains/example.org/records?type=A&name=example.org');
    expect(apex.body.domain_records).toMatchObject([{ name: '@' }]);

    const path = `/v2/domains/example.org/records/${created.body.domain_record.id}`;
    expect(await call('PATCH', path, { data: '100.64.0.12' })).toMatchObject({
      status: 200,
      body: { domain_record: { name: 'wiki', data: '100.64.0.12', ttl: 300 } },
    });
    expect((await call('PUT', path, { data: 'nonsense' })).status).toBe(422);
    expect(digitalocean.state.dns.ipv4sFor('wiki.example.org')).toEqual(['100.64.0.12']);
    expect(
      (await call('GET', `/v2/domains/demo.onecommons.test/records/${created.body.domain_record.id}`)).status,
    ).toBe(404);
    expect((await call('DELETE', path)).status).toBe(204);
    expect((await call('DELETE', path)).status).toBe(404);
    expect(await call('GET', '/v2/domains/example.com/records')).toMatchObject({
      status: 404,
      body: { id: 'not_found' },
    });
  });
});

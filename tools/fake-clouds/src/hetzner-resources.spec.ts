import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeCloud } from './fake-cloud-server.js';
import { startFakeHetzner } from './hetzner-dialect.js';
import { callApi, SPEC_TOKEN, SpecClock, until } from './spec-http.js';

/** The fields these specs read from the fake Hetzner's answers. */
interface Answer {
  readonly server: {
    readonly id: number;
    readonly status: string;
    readonly public_net: { ipv4: { ip: string } };
  };
  readonly action: { readonly id: number; readonly command: string; readonly status: string };
  readonly actions: readonly { readonly id: number; readonly command: string }[];
  readonly next_actions: readonly { readonly id: number; readonly command: string }[];
  readonly volume: { readonly id: number; readonly server: number | null; readonly status: string };
  readonly firewall: { readonly id: number };
  readonly firewalls: readonly { readonly name: string }[];
  readonly zones: readonly { readonly id: number; readonly name: string }[];
  readonly rrset: { readonly id: string };
  readonly rrsets: readonly unknown[];
  readonly error: { readonly code: string };
}

let hetzner: FakeCloud;
const clock = new SpecClock();
const call = (method: string, path: string, body?: unknown) =>
  callApi<Answer>(hetzner.url, method, path, body);

/** Waits for an action to end and answers its final state. */
const settled = (action: { id: number }) =>
  until(`action ${action.id}`, async () => {
    const { body } = await call('GET', `/v1/actions/${action.id}`);
    return body.action.status === 'running' ? undefined : body.action;
  });

async function runningServer(name: string, extra: Record<string, unknown> = {}) {
  const created = await call('POST', '/v1/servers', {
    name,
    server_type: 'cx22',
    image: 'debian-12',
    ...extra,
  });
  expect(created.status).toBe(201);
  expect(await settled(created.body.action)).toMatchObject({ status: 'success' });
  return created.body.server;
}

async function volume(name: string, location = 'fsn1') {
  const created = await call('POST', '/v1/volumes', { name, size: 10, location, format: 'ext4', labels: {} });
  expect(created.status).toBe(201);
  await settled(created.body.action);
  return created.body.volume;
}

beforeAll(async () => {
  hetzner = await startFakeHetzner({ token: SPEC_TOKEN, actionDurationMs: 20, now: clock.now });
});

afterAll(() => hetzner.close());

describe('fake Hetzner servers', () => {
  it('creates a server with user data, volumes and firewalls, and shows them', async () => {
    const firewall = await call('POST', '/v1/firewalls', {
      name: 'web',
      labels: { app: 'wiki' },
      rules: [{ direction: 'in', protocol: 'tcp', port: '443', source_ips: ['0.0.0.0/0', '::/0'] }],
    });
    expect(firewall).toMatchObject({
      status: 201,
      body: { firewall: { name: 'web', applied_to: [] }, actions: [] },
    });
    const data = await volume('wiki-data');
    expect(data).toMatchObject({ linux_device: `/dev/disk/by-id/scsi-0HC_Volume_${data.id}`, server: null });

    const server = await runningServer('wiki-1', {
      location: 'fsn1',
      user_data: '#cloud-config\n',
      volumes: [data.id],
      firewalls: [{ firewall: firewall.body.firewall.id }],
    });
    expect(server.public_net.ipv4.ip).toMatch(/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+$/);
    expect((await call('GET', `/v1/servers/${server.id}`)).body.server).toMatchObject({
      server_type: { name: 'cx22' },
      volumes: [data.id],
      public_net: { firewalls: [{ id: firewall.body.firewall.id, status: 'applied' }] },
    });
    expect(hetzner.state.servers.get(server.id)?.userData).toBe('#cloud-config\n');
    expect((await call('GET', `/v1/firewalls/${firewall.body.firewall.id}`)).body.firewall).toMatchObject({
      applied_to: [{ type: 'server', server: { id: server.id } }],
    });
    expect(await call('DELETE', `/v1/firewalls/${firewall.body.firewall.id}`)).toMatchObject({
      status: 422,
      body: { error: { code: 'resource_in_use' } },
    });
  });

  it('refuses user data over 32 KiB and volumes or firewalls it cannot use', async () => {
    const create = (name: string, extra: Record<string, unknown>) =>
      call('POST', '/v1/servers', {
        name,
        server_type: 'cx22',
        image: 'debian-12',
        location: 'fsn1',
        ...extra,
      });
    const taken = (await call('GET', '/v1/volumes?name=wiki-data')).body as unknown as {
      volumes: { id: number }[];
    };
    const elsewhere = await volume('far-data', 'hel1');
    expect(await create('big', { user_data: 'x'.repeat(32 * 1_024 + 1) })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_input' } },
    });
    expect(await create('taken', { volumes: [taken.volumes[0]?.id] })).toMatchObject({
      status: 422,
      body: { error: { code: 'volume_already_attached' } },
    });
    expect((await create('far', { volumes: [elsewhere.id] })).status).toBe(400);
    expect((await create('nofw', { firewalls: [{ firewall: 99 }] })).status).toBe(400);
    expect((await create('novol', { volumes: [99] })).status).toBe(400);
  });

  it('powers off, changes the type only while off, and powers on; the server is locked meanwhile', async () => {
    const server = await runningServer('resize-1');
    const changeType = (type: string) =>
      call('POST', `/v1/servers/${server.id}/actions/change_type`, {
        server_type: type,
        upgrade_disk: false,
      });
    expect(await changeType('cx32')).toMatchObject({
      status: 422,
      body: { error: { code: 'server_not_stopped' } },
    });

    clock.hold();
    const off = await call('POST', `/v1/servers/${server.id}/actions/poweroff`);
    expect(off).toMatchObject({
      status: 201,
      body: { action: { command: 'stop_server', status: 'running' } },
    });
    expect(await call('POST', `/v1/servers/${server.id}/actions/poweron`)).toMatchObject({
      status: 423,
      body: { error: { code: 'locked' } },
    });
    clock.release();
    await settled(off.body.action);
    expect(hetzner.state.servers.get(server.id)).toMatchObject({ status: 'off', runningSince: null });

    expect(await changeType('cx99')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_input' } },
    });
    const resized = await changeType('cx32');
    expect(resized).toMatchObject({ status: 201, body: { action: { command: 'change_server_type' } } });
    await settled(resized.body.action);
    expect((await call('GET', `/v1/servers/${server.id}`)).body.server).toMatchObject({
      status: 'off',
      server_type: { name: 'cx32' },
    });

    const on = await call('POST', `/v1/servers/${server.id}/actions/poweron`);
    expect(on.body.action.command).toBe('start_server');
    await settled(on.body.action);
    expect(hetzner.state.servers.get(server.id)).toMatchObject({
      status: 'running',
      runningSince: expect.any(Number),
    });
    const shutdown = await call('POST', `/v1/servers/${server.id}/actions/shutdown`);
    expect(shutdown.body.action.command).toBe('shutdown_server');
  });

  it('detaches the volumes of a deleted server and takes it off its firewalls', async () => {
    const data = await volume('gone-data');
    const firewall = (await call('POST', '/v1/firewalls', { name: 'gone' })).body.firewall;
    const server = await runningServer('gone-1', {
      volumes: [data.id],
      firewalls: [{ firewall: firewall.id }],
    });
    await settled((await call('DELETE', `/v1/servers/${server.id}`)).body.action);
    expect((await call('GET', `/v1/volumes/${data.id}`)).body.volume).toMatchObject({ server: null });
    expect((await call('GET', `/v1/firewalls/${firewall.id}`)).body.firewall).toMatchObject({
      applied_to: [],
    });
    expect((await call('DELETE', `/v1/firewalls/${firewall.id}`)).status).toBe(204);
    expect((await call('DELETE', `/v1/firewalls/${firewall.id}`)).status).toBe(404);
  });
});

describe('fake Hetzner firewalls', () => {
  it('validates rules, keeps names unique, applies to servers, and pages', async () => {
    const server = await runningServer('fw-target');
    const create = (name: string, extra: Record<string, unknown> = {}) =>
      call('POST', '/v1/firewalls', { name, labels: { team: 'fw' }, ...extra });
    const applied = await create('fw-1', { apply_to: [{ type: 'server', server: { id: server.id } }] });
    expect(applied).toMatchObject({
      status: 201,
      body: {
        actions: [{ command: 'apply_firewall' }],
        firewall: { applied_to: [{ server: { id: server.id } }] },
      },
    });
    expect(await create('fw-1')).toMatchObject({
      status: 409,
      body: { error: { code: 'uniqueness_error' } },
    });
    const badRules = [
      { direction: 'sideways', protocol: 'tcp', port: '80', source_ips: ['0.0.0.0/0'] },
      { direction: 'in', protocol: 'tcp', source_ips: ['0.0.0.0/0'] },
      { direction: 'in', protocol: 'icmp', port: '80', source_ips: ['0.0.0.0/0'] },
      { direction: 'in', protocol: 'tcp', port: '80-85', source_ips: ['not-an-ip'] },
      { direction: 'out', protocol: 'udp', port: '53', source_ips: ['0.0.0.0/0'] },
    ];
    for (const rule of badRules) expect((await create('fw-bad', { rules: [rule] })).status).toBe(400);
    expect((await create('fw-2', { apply_to: [{ type: 'server', server: { id: 99 } }] })).status).toBe(400);
    await create('fw-2');
    await create('fw-3');

    const first = await call('GET', '/v1/firewalls?label_selector=team%3D%3Dfw&per_page=2');
    expect(first.body.firewalls.map((firewall) => firewall.name)).toEqual(['fw-1', 'fw-2']);
    expect(first.body).toMatchObject({
      meta: { pagination: { page: 1, per_page: 2, next_page: 2, last_page: 2, total_entries: 3 } },
    });
    const second = await call('GET', '/v1/firewalls?label_selector=team%3D%3Dfw&per_page=2&page=2');
    expect(second.body).toMatchObject({
      firewalls: [{ name: 'fw-3' }],
      meta: { pagination: { next_page: null } },
    });
    expect((await call('GET', '/v1/firewalls?name=fw-2')).body.firewalls).toMatchObject([{ name: 'fw-2' }]);
  });
});

describe('fake Hetzner volumes', () => {
  it('creates, attaches in the same location only, refuses deleting while attached, detaches, deletes', async () => {
    const created = await call('POST', '/v1/volumes', { name: 'db-data', size: 20, location: 'nbg1' });
    expect(created).toMatchObject({
      status: 201,
      body: {
        volume: { status: 'creating', location: { name: 'nbg1' } },
        action: { command: 'create_volume' },
      },
    });
    expect((await call('POST', '/v1/volumes', { name: 'db-data', size: 20, location: 'nbg1' })).status).toBe(
      409,
    );
    expect((await call('POST', '/v1/volumes', { name: 'tiny', size: 5, location: 'nbg1' })).status).toBe(400);
    expect((await call('POST', '/v1/volumes', { name: 'nowhere', size: 10 })).status).toBe(400);
    await settled(created.body.action);
    const id = created.body.volume.id;
    const attach = (serverId: number) =>
      call('POST', `/v1/volumes/${id}/actions/attach`, { server: serverId, automount: false });

    const inFsn = await runningServer('db-fsn');
    expect(await attach(inFsn.id)).toMatchObject({ status: 400, body: { error: { code: 'invalid_input' } } });
    const inNbg = await runningServer('db-nbg', { location: 'nbg1' });
    clock.hold();
    const attached = await attach(inNbg.id);
    expect(attached).toMatchObject({ status: 201, body: { action: { command: 'attach_volume' } } });
    expect((await attach(inNbg.id)).status).toBe(423);
    clock.release();
    await settled(attached.body.action);
    expect((await call('GET', `/v1/volumes/${id}`)).body.volume.server).toBe(inNbg.id);
    const other = await runningServer('db-nbg-2', { location: 'nbg1' });
    expect(await attach(other.id)).toMatchObject({
      status: 422,
      body: { error: { code: 'volume_already_attached' } },
    });
    expect(await call('DELETE', `/v1/volumes/${id}`)).toMatchObject({
      status: 423,
      body: { error: { code: 'locked' } },
    });

    const detached = await call('POST', `/v1/volumes/${id}/actions/detach`, {});
    expect(detached).toMatchObject({ status: 201, body: { action: { command: 'detach_volume' } } });
    await settled(detached.body.action);
    expect((await call('DELETE', `/v1/volumes/${id}`)).status).toBe(204);
    expect((await call('GET', `/v1/volumes/${id}`)).status).toBe(404);
  });

  it('attaches a volume created for a server as its next action', async () => {
    const server = await runningServer('with-volume', { location: 'hel1' });
    const created = await call('POST', '/v1/volumes', {
      name: 'for-server',
      size: 10,
      server: server.id,
      automount: true,
    });
    expect(created.body).toMatchObject({
      volume: { location: { name: 'hel1' } },
      next_actions: [{ command: 'attach_volume' }],
    });
    await settled(created.body.next_actions[0] as { id: number });
    expect((await call('GET', `/v1/servers/${server.id}`)).body.server).toMatchObject({
      volumes: [created.body.volume.id],
    });
  });
});

describe('fake Hetzner DNS', () => {
  it('lists the zones the account has, and creates, lists, sets and deletes RRSets', async () => {
    const zones = await call('GET', '/v1/zones');
    expect(zones.body.zones.map((zone) => zone.name)).toEqual(['example.org', 'demo.onecommons.test']);
    expect((await call('GET', '/v1/zones?name=example.org')).body.zones).toMatchObject([
      { name: 'example.org', mode: 'primary', status: 'ok' },
    ]);
    const zoneId = zones.body.zones[0]?.id;
    const create = (rrset: Record<string, unknown>) => call('POST', '/v1/zones/example.org/rrsets', rrset);

    const created = await create({
      name: 'wiki',
      type: 'A',
      ttl: 300,
      records: [{ value: '100.64.0.9', comment: 'web' }],
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        rrset: {
          id: 'wiki/A',
          name: 'wiki',
          type: 'A',
          ttl: 300,
          zone: zoneId,
          records: [{ value: '100.64.0.9' }],
        },
        action: { command: 'create_rrset' },
      },
    });
    expect(await create({ name: 'wiki', type: 'A', records: [{ value: '100.64.0.10' }] })).toMatchObject({
      status: 409,
      body: { error: { code: 'uniqueness_error' } },
    });
    expect((await create({ name: 'bad', type: 'A', records: [{ value: '300.1.1.1' }] })).status).toBe(400);
    expect((await create({ name: 'empty', type: 'A', records: [] })).status).toBe(400);
    await create({ name: '@', type: 'A', records: [{ value: '100.64.0.11' }] });

    const listed = await call('GET', `/v1/zones/${zoneId}/rrsets?name=wiki&type=A`);
    expect(listed.body.rrsets).toMatchObject([{ id: 'wiki/A' }]);
    const set = await call('POST', '/v1/zones/example.org/rrsets/wiki/A/actions/set_records', {
      records: [{ value: '100.64.0.12' }],
    });
    expect(set).toMatchObject({ status: 201, body: { action: { command: 'set_rrset_records' } } });
    expect((await call('GET', '/v1/zones/example.org/rrsets/wiki/A')).body.rrset).toMatchObject({
      ttl: 300,
      records: [{ value: '100.64.0.12' }],
    });
    expect(hetzner.state.dns.ipv4sFor('example.org')).toEqual(['100.64.0.11']);

    const deleted = await call('DELETE', '/v1/zones/example.org/rrsets/wiki/A');
    expect(deleted).toMatchObject({ status: 201, body: { action: { command: 'delete_rrset' } } });
    expect((await call('GET', '/v1/zones/example.org/rrsets/wiki/A')).status).toBe(404);
    expect((await call('DELETE', '/v1/zones/example.org/rrsets/wiki/A')).status).toBe(404);
    expect((await call('GET', '/v1/zones/example.com/rrsets')).body.error.code).toBe('not_found');
  });
});

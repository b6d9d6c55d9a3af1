import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeAppEdge, startFakeAppEdge } from './app-edge.js';
import { APP_MANIFEST_PATH } from './app-manifest.js';
import { startFakeDigitalOcean } from './digitalocean-dialect.js';
import { type FakeCloud } from './fake-cloud-server.js';
import { startFakeHetzner } from './hetzner-dialect.js';
import { callApi, getAsHost, SPEC_TOKEN, SpecClock, until } from './spec-http.js';

/** The fields these specs read from the fakes' answers. */
interface Answer {
  readonly server: { readonly id: number; readonly public_net: { ipv4: { ip: string } } };
  readonly droplet: { readonly id: number };
  readonly action: { readonly id: number; readonly status: string; readonly finished: string | null };
  readonly links: { readonly actions: readonly { readonly id: number }[] };
  readonly volume: { readonly id: number | string };
  readonly domain_record: { readonly id: number };
}

interface EdgeAnswer {
  readonly error?: string;
  readonly reason?: string;
  readonly status?: string;
  readonly version?: string;
  readonly server?: number;
}

const APP_START_MS = 50;
const clock = new SpecClock();
let hetzner: FakeCloud;
let digitalocean: FakeCloud;
let edge: FakeAppEdge;

beforeAll(async () => {
  const options = { token: SPEC_TOKEN, actionDurationMs: 20, appStartMs: APP_START_MS, now: clock.now };
  hetzner = await startFakeHetzner(options);
  digitalocean = await startFakeDigitalOcean(options);
  edge = await startFakeAppEdge({ clouds: [hetzner] });
  edge.attach(digitalocean);
});

afterAll(async () => {
  await edge.close();
  await hetzner.close();
  await digitalocean.close();
});

/** Cloud-init as the provisioner writes it: the app manifest among other files. */
function cloudInit(manifest: { version: string; domain: string; devices: string[] }): string {
  const app = {
    image: 'ghcr.io/org/app',
    version: manifest.version,
    port: 8080,
    healthPath: '/healthz',
    domain: manifest.domain,
    volumes: manifest.devices.map((device, index) => ({
      name: `data${index}`,
      device,
      mountPath: `/data${index}`,
    })),
  };
  return [
    '#cloud-config',
    'package_update: true',
    'write_files:',
    '  - path: /etc/caddy/Caddyfile',
    `    content: "${manifest.domain} { reverse_proxy localhost:8080 }"`,
    `  - path: ${APP_MANIFEST_PATH}`,
    `    content: '${JSON.stringify(app)}'`,
    'runcmd:',
    '  - [systemctl, start, app]',
    '',
  ].join('\n');
}

const ask = (host: string, path = '/healthz') => getAsHost<EdgeAnswer>(edge.url, host, path);

/** Polls the edge until the host's health answers 200. */
const healthy = (host: string) =>
  until(`${host} healthy`, async () => {
    const answer = await ask(host);
    return answer.status === 200 ? answer : undefined;
  });

describe('the app edge with a Hetzner server', () => {
  const call = (method: string, path: string, body?: unknown) =>
    callApi<Answer>(hetzner.url, method, path, body);

  async function readyVolume(name: string): Promise<number> {
    const created = await call('POST', '/v1/volumes', { name, size: 10, location: 'fsn1' });
    await until('the volume', async () =>
      (await call('GET', `/v1/actions/${created.body.action.id}`)).body.action.status === 'running'
        ? undefined
        : true,
    );
    return created.body.volume.id as number;
  }

  async function serverWithApp(
    name: string,
    app: { version: string; host: string; volumeId: number; device: string },
  ) {
    const server = await call('POST', '/v1/servers', {
      name,
      server_type: 'cx22',
      image: 'debian-12',
      location: 'fsn1',
      volumes: [app.volumeId],
      user_data: cloudInit({ version: app.version, domain: app.host, devices: [app.device] }),
    });
    expect(server.status).toBe(201);
    return server.body;
  }

  const hetznerDevice = (volumeId: number) => `/dev/disk/by-id/scsi-0HC_Volume_${volumeId}`;

  it('answers 502 without a record, 503 while the app starts, then 200 with its version, and 502 once the record is gone', async () => {
    expect(await ask('wiki.example.org')).toMatchObject({ status: 502, body: { error: 'no_dns_record' } });
    const volumeId = await readyVolume('wiki-data');
    clock.hold();
    const { server, action } = await serverWithApp('wiki-1', {
      version: '1.2.3',
      host: 'wiki.example.org',
      volumeId,
      device: hetznerDevice(volumeId),
    });
    const record = { name: 'wiki', type: 'A', records: [{ value: server.public_net.ipv4.ip }] };
    expect((await call('POST', '/v1/zones/example.org/rrsets', record)).status).toBe(201);
    expect(await ask('wiki.example.org:443')).toMatchObject({ status: 503, body: { reason: 'server_off' } });
    // The moment the server becomes running: its app has not started yet.
    clock.hold(hetzner.state.actions.get(action.id)?.finishesAt);
    expect(await ask('WIKI.example.org')).toMatchObject({
      status: 503,
      body: { error: 'app_not_running', reason: 'starting', server: server.id },
    });
    clock.release();

    expect((await healthy('wiki.example.org')).body).toEqual({
      status: 'ok',
      image: 'ghcr.io/org/app',
      version: '1.2.3',
      server: server.id,
    });
    expect(await ask('wiki.example.org', '/elsewhere')).toMatchObject({ status: 404 });
    expect(await ask('other.example.org')).toMatchObject({ status: 502 });

    expect((await call('DELETE', '/v1/zones/example.org/rrsets/wiki/A')).status).toBe(201);
    expect(await ask('wiki.example.org')).toMatchObject({ status: 502, body: { error: 'no_dns_record' } });
  });

  it('keeps a failing version down, and an app whose volume is not attached', async () => {
    hetzner.faults.failApp('ghcr.io/org/app:2.0.0');
    const nextVolume = await readyVolume('next-data');
    const failing = await serverWithApp('next-1', {
      version: '2.0.0',
      host: 'next.example.org',
      volumeId: nextVolume,
      device: hetznerDevice(nextVolume),
    });
    const lostVolume = await readyVolume('lost-data');
    const homeless = await serverWithApp('lost-1', {
      version: '1.2.3',
      host: 'lost.example.org',
      volumeId: lostVolume,
      device: hetznerDevice(nextVolume),
    });
    for (const [name, { server }] of [
      ['next', failing],
      ['lost', homeless],
    ] as const)
      await call('POST', '/v1/zones/example.org/rrsets', {
        name,
        type: 'A',
        records: [{ value: server.public_net.ipv4.ip }],
      });
    const settledDown = (host: string, reason: string) =>
      until(`${host} down for ${reason}`, async () => {
        const answer = await ask(host);
        return answer.body.reason === reason ? answer : undefined;
      });
    expect(await settledDown('next.example.org', 'failing_version')).toMatchObject({ status: 503 });
    expect(await settledDown('lost.example.org', 'volume_missing')).toMatchObject({ status: 503 });
    // Long past the start time, the failing version is still down.
    const runningSince = hetzner.state.servers.get(failing.server.id)?.runningSince ?? 0;
    clock.hold(runningSince + 10 * APP_START_MS);
    expect(await ask('next.example.org')).toMatchObject({ status: 503, body: { reason: 'failing_version' } });
    clock.release();
  });
});

describe('the app edge with a DigitalOcean droplet', () => {
  const call = (method: string, path: string, body?: unknown) =>
    callApi<Answer>(digitalocean.url, method, path, body);

  it('serves the app once the droplet runs with its volume attached under its DigitalOcean device name', async () => {
    const volume = await call('POST', '/v2/volumes', {
      name: 'shop-data',
      size_gigabytes: 10,
      region: 'ams3',
    });
    const created = await call('POST', '/v2/droplets', {
      name: 'shop-1',
      region: 'ams3',
      size: 's-1vcpu-2gb',
      image: 'debian-12-x64',
      volumes: [volume.body.volume.id],
      user_data: cloudInit({
        version: '3.1.0',
        domain: 'shop.demo.onecommons.test',
        devices: ['/dev/disk/by-id/scsi-0DO_Volume_shop-data'],
      }),
    });
    const droplet = digitalocean.state.servers.get(created.body.droplet.id);
    const record = await call('POST', '/v2/domains/demo.onecommons.test/records', {
      type: 'A',
      name: 'shop',
      data: droplet?.publicIpv4,
    });
    expect(record.status).toBe(201);
    expect((await healthy('shop.demo.onecommons.test')).body).toMatchObject({
      version: '3.1.0',
      server: droplet?.id,
    });
    expect(await ask('www.demo.onecommons.test')).toMatchObject({ status: 502 });

    const powerOff = await call('POST', `/v2/droplets/${droplet?.id}/actions`, { type: 'power_off' });
    await until('the droplet off', async () =>
      (await ask('shop.demo.onecommons.test')).body.reason === 'server_off' ? true : undefined,
    );
    expect(powerOff.status).toBe(201);
    await call('DELETE', `/v2/domains/demo.onecommons.test/records/${record.body.domain_record.id}`);
    expect(await ask('shop.demo.onecommons.test')).toMatchObject({ status: 502 });
  });
});

describe('public addresses', () => {
  it('are never handed out twice, across fakes', async () => {
    const servers = await Promise.all([
      ...[1, 2, 3].map((n) =>
        callApi<Answer>(hetzner.url, 'POST', '/v1/servers', {
          name: `ip-${n}`,
          server_type: 'cx22',
          image: 'debian-12',
        }),
      ),
      ...[1, 2, 3].map((n) =>
        callApi<Answer>(digitalocean.url, 'POST', '/v2/droplets', {
          name: `ip-${n}`,
          region: 'ams3',
          size: 's-1vcpu-1gb',
          image: 'debian-12-x64',
        }),
      ),
    ]);
    expect(servers.every((answer) => answer.status === 201 || answer.status === 202)).toBe(true);
    const addresses = [...hetzner.state.servers.values(), ...digitalocean.state.servers.values()].map(
      (server) => server.publicIpv4,
    );
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(addresses.length).toBeGreaterThanOrEqual(6);
  });
});

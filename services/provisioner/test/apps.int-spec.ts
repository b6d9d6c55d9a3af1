import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getAsHost } from '@onecommons/fake-clouds';
import { eventually } from '@onecommons/testing';
import {
  CLOUD_TOKEN,
  condition,
  deploy,
  type DeploymentBody,
  deploymentWhen,
  json,
  type ProvisionerStack,
  startProvisionerStack,
  providerGet,
  WIKI_APP,
} from './provisioner-stack.js';

let stack: ProvisionerStack;
let hetznerAccount: string;
let digitalOceanAccount: string;

beforeAll(async () => {
  stack = await startProvisionerStack();
  hetznerAccount = await stack.registerAccount('hetzner');
  digitalOceanAccount = await stack.registerAccount('digitalocean');
});

afterAll(async () => {
  await stack.stop();
});

const ready = (deployment: DeploymentBody) => condition(deployment, 'Ready')?.status === 'True';
const readyReason = (reason: string) => (deployment: DeploymentBody) =>
  condition(deployment, 'Ready')?.reason === reason;

const visit = (domain: string, path: string) =>
  getAsHost<Record<string, unknown>>(stack.edge.url, domain, path);

async function providerSend(baseUrl: string, method: string, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${CLOUD_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.status;
}

const hetznerApi = () => `${stack.hetzner.url}/v1`;
const selector = (id: string) => encodeURIComponent(`onecommons.org/deployment==${id}`);

interface HetznerServer {
  id: number;
  public_net: { ipv4: { ip: string }; firewalls?: { id: number }[] };
  volumes: number[];
}

describe('a deployment runs its app', () => {
  it('on Hetzner: firewall, volume, server with cloud-init, DNS, then Ready when the app answers on its domain', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
      volumes: [{ name: 'data', sizeGb: 20, mountPath: '/var/lib/wiki' }],
    });
    expect(created.status).toBe(201);
    const { id, domain } = created.body;
    expect(created.body).toMatchObject({ app: WIKI_APP, volumes: [{ name: 'data', sizeGb: 20 }] });
    expect(domain).toBe(`svc-${serviceId.slice(0, 8)}.example.org`);

    const running = await deploymentWhen(stack, id, 'the app to answer', ready);
    expect(running.phase).toBe('Running');
    expect(condition(running, 'Ready')).toMatchObject({ reason: 'AppAnswering' });
    expect(condition(running, 'Ready')?.message).toContain(
      `ghcr.io/onecommons-test/wiki:1.0.0 answers https://${domain}/healthz`,
    );

    const { servers } = await providerGet<{ servers: HetznerServer[] }>(
      hetznerApi(),
      `/servers?label_selector=${selector(id)}`,
    );
    expect(servers).toHaveLength(1);
    const server = servers[0] as HetznerServer;
    const { firewalls } = await providerGet<{
      firewalls: { id: number; name: string; rules: { port: string }[] }[];
    }>(hetznerApi(), `/firewalls?label_selector=${selector(id)}`);
    expect(firewalls).toHaveLength(1);
    expect(firewalls[0]?.name).toBe(`oc-${id}`);
    expect(firewalls[0]?.rules.map((rule) => rule.port).sort()).toEqual(['443', '80']);
    expect(server.public_net.firewalls?.map((firewall) => firewall.id)).toEqual([firewalls[0]?.id]);
    const { volumes } = await providerGet<{
      volumes: { id: number; name: string; size: number; server: number }[];
    }>(hetznerApi(), `/volumes?label_selector=${selector(id)}`);
    expect(volumes).toEqual([
      expect.objectContaining({ name: `oc-${id}-data`, size: 20, server: server.id }),
    ]);
    const { rrsets } = await providerGet<{ rrsets: { name: string; records: { value: string }[] }[] }>(
      hetznerApi(),
      `/zones/example.org/rrsets?type=A&name=svc-${serviceId.slice(0, 8)}`,
    );
    expect(rrsets).toEqual([
      expect.objectContaining({
        name: `svc-${serviceId.slice(0, 8)}`,
        records: [expect.objectContaining({ value: server.public_net.ipv4.ip })],
      }),
    ]);

    // What a visitor of the domain gets: the app, at the version deployed, on this server.
    expect(await visit(domain, '/healthz')).toEqual({
      status: 200,
      body: expect.objectContaining({ status: 'ok', version: '1.0.0', server: server.id }),
    });
  });

  it('on DigitalOcean: the droplet, its tagged firewall, volume and domain record', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: digitalOceanAccount,
      region: 'ams3',
      size: 's-1vcpu-2gb',
      app: { ...WIKI_APP, version: '2.1.0' },
      volumes: [{ name: 'uploads', sizeGb: 10, mountPath: '/srv/uploads' }],
    });
    expect(created.status).toBe(201);
    const { id, domain } = created.body;
    const running = await deploymentWhen(stack, id, 'the app to answer on DigitalOcean', ready);
    const { droplets } = await providerGet<{
      droplets: { id: number; volume_ids: string[]; networks: { v4: { ip_address: string }[] } }[];
    }>(stack.digitalocean.url, `/v2/droplets?tag_name=onecommons-deployment:${id}`);
    expect(droplets).toHaveLength(1);
    expect(running.serverId).toBe(String(droplets[0]?.id));
    const { firewalls } = await providerGet<{ firewalls: { name: string; tags: string[] }[] }>(
      stack.digitalocean.url,
      '/v2/firewalls?per_page=200',
    );
    expect(firewalls.filter((firewall) => firewall.name === `oc-${id}`)).toEqual([
      expect.objectContaining({ tags: [`onecommons-deployment:${id}`] }),
    ]);
    const { volumes } = await providerGet<{ volumes: { id: string; name: string; droplet_ids: number[] }[] }>(
      stack.digitalocean.url,
      `/v2/volumes?name=oc-${id}-uploads`,
    );
    expect(volumes).toEqual([expect.objectContaining({ droplet_ids: [droplets[0]?.id] })]);
    const { domain_records: records } = await providerGet<{
      domain_records: { name: string; data: string }[];
    }>(stack.digitalocean.url, `/v2/domains/example.org/records?type=A&name=${domain}`);
    expect(records).toEqual([
      expect.objectContaining({
        name: `svc-${serviceId.slice(0, 8)}`,
        data: droplets[0]?.networks.v4[0]?.ip_address,
      }),
    ]);
    expect(await visit(domain, '/healthz')).toMatchObject({ status: 200, body: { version: '2.1.0' } });

    // Torn down: the droplet, its firewall, volume and record go.
    expect(
      (await json(stack.url(`/deployments/${id}`), 'DELETE', { credential: stack.operator.token })).status,
    ).toBe(202);
    await deploymentWhen(stack, id, 'Absent on DigitalOcean', (deployment) => deployment.phase === 'Absent');
    const left = {
      droplets: (
        await providerGet<{ droplets: unknown[] }>(
          stack.digitalocean.url,
          `/v2/droplets?tag_name=onecommons-deployment:${id}`,
        )
      ).droplets,
      firewalls: (
        await providerGet<{ firewalls: { name: string }[] }>(
          stack.digitalocean.url,
          '/v2/firewalls?per_page=200',
        )
      ).firewalls.filter((firewall) => firewall.name === `oc-${id}`),
      volumes: (
        await providerGet<{ volumes: unknown[] }>(stack.digitalocean.url, `/v2/volumes?name=oc-${id}-uploads`)
      ).volumes,
      records: (
        await providerGet<{ domain_records: unknown[] }>(
          stack.digitalocean.url,
          `/v2/domains/example.org/records?type=A&name=${domain}`,
        )
      ).domain_records,
    };
    expect(left).toEqual({ droplets: [], firewalls: [], volumes: [], records: [] });
  });

  it('adopts the firewall and volume whose create calls were answered too late, and makes no second', async () => {
    // Carried out at once, answered after the provisioner gave up (700 ms): the outcome is unknown to it.
    stack.hetzner.faults.delayNext(1, 2_000, { method: 'POST', path: '/v1/firewalls' });
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
      volumes: [{ name: 'data', sizeGb: 10, mountPath: '/data' }],
    });
    const id = created.body.id;
    await eventually('the firewall call made', async () =>
      stack.hetzner.requests.some((r) => r.method === 'POST' && r.path === '/v1/firewalls')
        ? true
        : undefined,
    );
    stack.hetzner.faults.delayNext(1, 2_000, { method: 'POST', path: '/v1/volumes' });
    await deploymentWhen(stack, id, 'Ready after adopting', ready);
    const selector = encodeURIComponent(`onecommons.org/deployment==${id}`);
    expect(
      (await providerGet<{ firewalls: unknown[] }>(hetznerApi(), `/firewalls?label_selector=${selector}`))
        .firewalls,
    ).toHaveLength(1);
    expect(
      (await providerGet<{ volumes: unknown[] }>(hetznerApi(), `/volumes?label_selector=${selector}`))
        .volumes,
    ).toHaveLength(1);
    const intents = await stack.provisioner.query<{ kind: string; state: string }>(
      `SELECT kind, state FROM provider_operations WHERE deployment_id = $1 AND kind IN ('create_firewall', 'create_volume') ORDER BY id`,
      [id],
    );
    expect(intents).toEqual([
      { kind: 'create_firewall', state: 'succeeded' },
      { kind: 'create_volume', state: 'succeeded' },
    ]);
  });

  it('is not Ready while the app does not answer, and says so', async () => {
    stack.hetzner.faults.failApp('ghcr.io/onecommons-test/wiki:9.9.9-broken');
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
      app: { ...WIKI_APP, version: '9.9.9-broken' },
    });
    const starting = await deploymentWhen(
      stack,
      created.body.id,
      'the app not answering',
      readyReason('AppStarting'),
    );
    expect(starting.phase).toBe('Provisioning');
    expect(condition(starting, 'Ready')).toMatchObject({ status: 'False' });
    expect(condition(starting, 'Ready')?.message).toContain('HTTP 503');
    // The server runs (the provider is serving it), so its uptime counts for the provider's resource points.
    const uptime = await stack.provisioner.query('SELECT 1 FROM deployment_uptime WHERE deployment_id = $1', [
      created.body.id,
    ]);
    expect(uptime).toHaveLength(1);
  });

  it('never takes over a DNS name someone else uses, and creates nothing while it is taken', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const name = `svc-${serviceId.slice(0, 8)}`;
    expect(
      await providerSend(hetznerApi(), 'POST', '/zones/example.org/rrsets', {
        name,
        type: 'A',
        ttl: 600,
        records: [{ value: '192.0.2.10' }],
      }),
    ).toBe(201);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
    });
    const blocked = await deploymentWhen(
      stack,
      created.body.id,
      'the conflict',
      readyReason('DnsRecordConflict'),
    );
    expect(blocked.phase).toBe('Failed');
    expect(condition(blocked, 'Ready')?.message).toContain('192.0.2.10');
    const id = created.body.id;
    expect(
      (await providerGet<{ servers: unknown[] }>(hetznerApi(), `/servers?label_selector=${selector(id)}`))
        .servers,
    ).toEqual([]);
    expect(
      (await providerGet<{ firewalls: unknown[] }>(hetznerApi(), `/firewalls?label_selector=${selector(id)}`))
        .firewalls,
    ).toEqual([]);

    // Once the name is free, it goes ahead.
    expect(await providerSend(hetznerApi(), 'DELETE', `/zones/example.org/rrsets/${name}/A`, undefined)).toBe(
      201,
    );
    await deploymentWhen(stack, id, 'Ready once the name is free', ready);
  });

  it('waits for a DNS zone that holds its domain', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId, {
      domain: 'wiki.unzoned.example',
    });
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
    });
    const blocked = await deploymentWhen(
      stack,
      created.body.id,
      'the missing zone',
      readyReason('DnsZoneNotFound'),
    );
    expect(condition(blocked, 'Ready')?.message).toContain('wiki.unzoned.example');
  });

  it('tears down the server, DNS record, firewall and volumes it made, and nothing else', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'hel1',
      size: 'cx22',
      volumes: [
        { name: 'data', sizeGb: 10, mountPath: '/data' },
        { name: 'media', sizeGb: 30, mountPath: '/media' },
      ],
    });
    const { id, domain } = created.body;
    await deploymentWhen(stack, id, 'Ready', ready);
    // The provider's own things beside it: a firewall, a volume and a record in the same zone.
    const tag = id.slice(0, 8);
    expect(await providerSend(hetznerApi(), 'POST', '/firewalls', { name: `office-${tag}`, rules: [] })).toBe(
      201,
    );
    expect(
      await providerSend(hetznerApi(), 'POST', '/volumes', {
        name: `backup-${tag}`,
        size: 10,
        location: 'hel1',
      }),
    ).toBe(201);
    expect(
      await providerSend(hetznerApi(), 'POST', '/zones/example.org/rrsets', {
        name: `www-${tag}`,
        type: 'A',
        records: [{ value: '192.0.2.20' }],
      }),
    ).toBe(201);

    expect(
      (await json(stack.url(`/deployments/${id}`), 'DELETE', { credential: stack.operator.token })).status,
    ).toBe(202);
    await deploymentWhen(stack, id, 'Absent', (deployment) => deployment.phase === 'Absent');
    for (const kind of ['servers', 'firewalls', 'volumes'])
      expect(
        (
          await providerGet<Record<string, unknown[]>>(
            hetznerApi(),
            `/${kind}?label_selector=${selector(id)}`,
          )
        )[kind],
      ).toEqual([]);
    const { rrsets } = await providerGet<{ rrsets: { name: string }[] }>(
      hetznerApi(),
      '/zones/example.org/rrsets?per_page=50&type=A',
    );
    expect(rrsets.map((rrset) => rrset.name)).not.toContain(domain.split('.')[0]);
    expect(rrsets.map((rrset) => rrset.name)).toContain(`www-${tag}`);
    expect(
      (await providerGet<{ firewalls: unknown[] }>(hetznerApi(), `/firewalls?name=office-${tag}`)).firewalls,
    ).toHaveLength(1);
    expect(
      (await providerGet<{ volumes: unknown[] }>(hetznerApi(), `/volumes?name=backup-${tag}`)).volumes,
    ).toHaveLength(1);
    expect((await visit(domain, '/healthz')).status).toBe(502);
  });

  it('checks what it is asked to run', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const placement = { serviceId, providerAccountId: hetznerAccount, region: 'fsn1', size: 'cx22' };
    const refused = async (body: Record<string, unknown>, field: string) =>
      expect(await deploy(stack, { ...placement, ...body })).toMatchObject({
        status: 400,
        body: { error: { code: 'validation_failed', field } },
      });
    await refused({ app: undefined }, 'app');
    await refused({ app: { ...WIKI_APP, image: 'ghcr.io/org/app:1.0' } }, 'app.image');
    await refused({ app: { ...WIKI_APP, image: 'https://evil.example/x' } }, 'app.image');
    await refused({ app: { ...WIKI_APP, version: '1.0; rm -rf /' } }, 'app.version');
    await refused({ app: { ...WIKI_APP, port: 70_000 } }, 'app.port');
    await refused({ app: { ...WIKI_APP, healthPath: 'healthz' } }, 'app.healthPath');
    await refused({ volumes: [{ name: 'Data', sizeGb: 10, mountPath: '/data' }] }, 'volumes.0.name');
    await refused({ volumes: [{ name: 'data', sizeGb: 5, mountPath: '/data' }] }, 'volumes.0.sizeGb');
    await refused(
      { volumes: [{ name: 'data', sizeGb: 10, mountPath: '/data/../etc' }] },
      'volumes.0.mountPath',
    );
    await refused(
      {
        volumes: [
          { name: 'data', sizeGb: 10, mountPath: '/data' },
          { name: 'data', sizeGb: 10, mountPath: '/other' },
        ],
      },
      'volumes',
    );
    const nothing = await stack.provisioner.query('SELECT 1 FROM deployments WHERE service_id = $1', [
      serviceId,
    ]);
    expect(nothing).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getAsHost } from '@onecommons/fake-clouds';
import {
  answeringWith,
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

type Answer = DeploymentBody & { generation: number; error?: { code: string; field?: string } };

const change = (id: string, body: unknown, credential = stack.operator.token) =>
  json<Answer>(stack.url(`/deployments/${id}`), 'PATCH', { credential, body });

const visit = (domain: string, path: string) =>
  getAsHost<Record<string, unknown>>(stack.edge.url, domain, path);

const operationKinds = async (id: string) =>
  (
    await stack.provisioner.query<{ kind: string }>(
      `SELECT kind FROM provider_operations WHERE deployment_id = $1 AND state <> 'failed' ORDER BY id`,
      [id],
    )
  ).map((row) => row.kind);

async function deployed(body: Record<string, unknown>) {
  const serviceId = await stack.newService(stack.operator.organizationId);
  const created = await deploy(stack, { serviceId, ...body } as Parameters<typeof deploy>[1]);
  expect(created.status).toBe(201);
  await deploymentWhen(
    stack,
    created.body.id,
    'the first version to answer',
    answeringWith(WIKI_APP.version),
  );
  return created.body;
}

describe('a new app version', () => {
  it('rolls onto a new server that gets the volume, then the old server goes (Hetzner)', async () => {
    const { id, domain } = await deployed({
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
      volumes: [{ name: 'data', sizeGb: 10, mountPath: '/var/lib/wiki' }],
    });
    const before = await visit(domain, '/healthz');
    expect(before.body).toMatchObject({ version: '1.0.0' });
    const selector = encodeURIComponent(`onecommons.org/deployment==${id}`);
    const { volumes: volumesBefore } = await providerGet<{ volumes: { id: number }[] }>(
      `${stack.hetzner.url}/v1`,
      `/volumes?label_selector=${selector}`,
    );

    const changed = await change(id, { app: { ...WIKI_APP, version: '2.0.0' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ generation: 2, app: { version: '2.0.0' } });
    expect(condition(changed.body, 'Synced')).toMatchObject({ status: 'False', reason: 'ChangeRequested' });

    const rolled = await deploymentWhen(
      stack,
      id,
      'the new version to answer',
      answeringWith('2.0.0'),
      30_000,
    );
    expect(condition(rolled, 'Ready')?.message).toContain('wiki:2.0.0 answers');
    const after = await visit(domain, '/healthz');
    expect(after).toMatchObject({ status: 200, body: { version: '2.0.0' } });
    expect(after.body['server']).not.toBe(before.body['server']);
    expect(rolled.serverId).toBe(String(after.body['server']));
    await deploymentWhen(
      stack,
      id,
      'the old server gone',
      () => ![...stack.hetzner.state.servers.values()].some((s) => s.id === before.body['server']),
    );
    const { servers } = await providerGet<{ servers: { id: number; name: string; volumes: number[] }[] }>(
      `${stack.hetzner.url}/v1`,
      `/servers?label_selector=${selector}`,
    );
    expect(servers.map((server) => server.name)).toEqual([`oc-${id}-g2`]);
    // The same volume, now on the new server: the data came along.
    expect(servers[0]?.volumes).toEqual(volumesBefore.map((volume) => volume.id));
    const kinds = await operationKinds(id);
    expect(kinds.filter((kind) => kind === 'create_volume')).toHaveLength(1);
    expect(kinds).toEqual(
      expect.arrayContaining(['power_off', 'detach_volume', 'update_dns_record', 'delete']),
    );
  });

  it('rolls without volumes on DigitalOcean, and a change to the same app changes nothing', async () => {
    const { id, domain } = await deployed({
      providerAccountId: digitalOceanAccount,
      region: 'fra1',
      size: 's-1vcpu-2gb',
    });
    const same = await change(id, { app: WIKI_APP });
    expect(same.body).toMatchObject({ generation: 1 });
    expect((await change(id, { app: { ...WIKI_APP, version: '1.1.0' } })).status).toBe(200);
    await deploymentWhen(stack, id, 'the new version on DigitalOcean', answeringWith('1.1.0'), 30_000);
    expect(await visit(domain, '/healthz')).toMatchObject({ status: 200, body: { version: '1.1.0' } });
    await deploymentWhen(
      stack,
      id,
      'one droplet left',
      () =>
        [...stack.digitalocean.state.servers.values()].filter((s) => s.name.startsWith(`oc-${id}`)).length ===
        1,
    );
  });
});

describe('a new size', () => {
  it.each([
    ['hetzner', 'hel1', 'cx22', 'cx32'],
    ['digitalocean', 'fra1', 's-1vcpu-2gb', 's-2vcpu-4gb'],
  ] as const)(
    'resizes the same server on %s: stop, change type, start; uptime earns the new rate only from then',
    async (api, region, from, to) => {
      const cloud = stack[api];
      const { id, domain } = await deployed({
        providerAccountId: api === 'hetzner' ? hetznerAccount : digitalOceanAccount,
        region,
        size: from,
      });
      const serverBefore = (await visit(domain, '/healthz')).body['server'];
      const changed = await change(id, { size: to });
      expect(changed.body.provider.size).toBe(to);
      const server = () => cloud.state.servers.get(Number(serverBefore));
      const resized = await deploymentWhen(
        stack,
        id,
        'Ready again at the new size',
        (deployment) => ready(deployment) && server()?.size === to && server()?.status === 'running',
        30_000,
      );
      expect(resized.serverId).toBe(String(serverBefore));
      expect(await operationKinds(id)).toEqual(expect.arrayContaining(['power_off', 'resize', 'power_on']));
      const stretches = await stack.provisioner.query<{ points_per_second: string; ended_at: Date | null }>(
        'SELECT points_per_second::text, ended_at FROM deployment_uptime WHERE deployment_id = $1 ORDER BY started_at',
        [id],
      );
      expect(stretches.length).toBeGreaterThanOrEqual(2);
      const rates = stretches.map((stretch) => BigInt(stretch.points_per_second));
      expect(rates[rates.length - 1]).toBeGreaterThan(rates[0] as bigint);
      expect(stretches[0]?.ended_at).not.toBeNull();
    },
  );
});

function ready(deployment: DeploymentBody): boolean {
  return condition(deployment, 'Ready')?.status === 'True';
}

describe('who may change a deployment, and what', () => {
  it('owners of its operator only; a known size; app or size and nothing else', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
    });
    const id = created.body.id;
    expect((await change(id, { size: 'cx32' }, stack.otherOperator.token)).status).toBe(404);
    expect((await change(id, { size: 'cx32' }, stack.provider.token)).status).toBe(403);
    expect((await json(stack.url(`/deployments/${id}`), 'PATCH', { body: { size: 'cx32' } })).status).toBe(
      401,
    );
    expect(await change(id, { size: 'cx999' })).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_size', field: 'size' } },
    });
    expect((await change(id, {})).status).toBe(400);
    expect(await change(id, { volumes: [] })).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed' } },
    });
    expect(await change(id, { app: { ...WIKI_APP, version: 'bad version' } })).toMatchObject({
      status: 400,
      body: { error: { field: 'app.version' } },
    });
    const unchanged = await stack.provisioner.query<{ size: string; generation: number }>(
      'SELECT size, generation FROM deployments WHERE id = $1',
      [id],
    );
    expect(unchanged).toEqual([{ size: 'cx22', generation: 1 }]);
    expect(
      (await json(stack.url(`/deployments/${id}`), 'DELETE', { credential: stack.operator.token })).status,
    ).toBe(202);
    expect(await change(id, { size: 'cx32' })).toMatchObject({
      status: 409,
      body: { error: { code: 'deployment_deleted' } },
    });
  });
});

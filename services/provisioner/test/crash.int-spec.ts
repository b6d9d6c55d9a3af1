import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@onecommons/testing';
import {
  answeringWith,
  condition,
  deploy,
  deploymentWhen,
  type ProvisionerStack,
  startProvisionerStack,
} from './provisioner-stack.js';

let stack: ProvisionerStack;

beforeAll(async () => {
  // The provisioner as its own process, waiting long enough on the provider that it can be killed mid-call.
  stack = await startProvisionerStack({ PROVISIONER_PROVIDER_TIMEOUT_MS: '20000' }, {}, { asProcess: true });
});

afterAll(async () => {
  await stack.stop();
});

describe('a provisioner killed in the middle of building a deployment', () => {
  it('adopts the server on restart instead of making a second one, and serves the app', async () => {
    const process = stack.provisionerProcess;
    if (!process) throw new Error('the provisioner runs as a process here');
    const accountId = await stack.registerAccount('hetzner');
    const serviceId = await stack.newService(stack.operator.organizationId);
    // The provider makes the server at once but answers only after 15 s: the process dies before it hears.
    stack.hetzner.faults.delayNext(1, 15_000, { method: 'POST', path: '/v1/servers' });
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
      volumes: [{ name: 'data', sizeGb: 10, mountPath: '/var/lib/wiki' }],
    });
    await eventually('the provider got the create call', async () =>
      stack.hetzner.state.servers.size === 1 ? true : undefined,
    );
    const [intent] = await stack.provisioner.query<{ state: string }>(
      `SELECT state FROM provider_operations WHERE deployment_id = $1 AND kind = 'create'`,
      [created.body.id],
    );
    expect(intent?.state).toBe('intended'); // recorded before the call, outcome not known yet
    await process.kill('SIGKILL');

    await process.start();
    const running = await deploymentWhen(
      stack,
      created.body.id,
      'Ready after the restart',
      (d) => condition(d, 'Ready')?.status === 'True',
      30_000,
    );
    const servers = [...stack.hetzner.state.servers.values()];
    expect(servers).toHaveLength(1);
    const posts = (path: string) =>
      stack.hetzner.requests.filter((request) => request.method === 'POST' && request.path === path);
    expect(posts('/v1/servers')).toHaveLength(1);
    expect(posts('/v1/firewalls')).toHaveLength(1);
    expect(posts('/v1/volumes')).toHaveLength(1);
    expect(running.serverId).toBe(String(servers[0]?.id));
    expect(condition(running, 'Ready')?.reason).toBe('AppAnswering');
    const operations = await stack.provisioner.query<{ kind: string; state: string; error: string }>(
      `SELECT kind, state, error FROM provider_operations WHERE deployment_id = $1 AND kind = 'create' ORDER BY id`,
      [created.body.id],
    );
    expect(operations).toEqual([
      { kind: 'create', state: 'succeeded', error: expect.stringContaining('adopted') },
    ]);
  });

  const PLACES = {
    hetzner: { region: 'fsn1', size: 'cx22', create: '/v1/servers' },
    digitalocean: { region: 'ams3', size: 's-1vcpu-2gb', create: '/v2/droplets' },
  } as const;

  it.each(['hetzner', 'digitalocean'] as const)(
    'adopts the new generation’s server after dying mid-rollout, and finishes moving the app and its volume (%s)',
    async (api) => {
      const process = stack.provisionerProcess;
      if (!process) throw new Error('the provisioner runs as a process here');
      const cloud = stack[api];
      const place = PLACES[api];
      const accountId = await stack.registerAccount(api);
      const serviceId = await stack.newService(stack.operator.organizationId);
      const created = await deploy(stack, {
        serviceId,
        providerAccountId: accountId,
        region: place.region,
        size: place.size,
        volumes: [{ name: 'data', sizeGb: 10, mountPath: '/var/lib/wiki' }],
      });
      const id = created.body.id;
      await deploymentWhen(stack, id, 'the first version Ready', answeringWith('1.0.0'), 30_000);
      const serversOf = () => [...cloud.state.servers.values()].filter((s) => s.name.startsWith(`oc-${id}`));
      const first = serversOf()[0];
      const creates = () =>
        cloud.requests.filter((r) => r.method === 'POST' && r.path === place.create).length;
      const createsBefore = creates();

      cloud.faults.delayNext(1, 15_000, { method: 'POST', path: place.create });
      const changed = await fetch(stack.url(`/deployments/${id}`), {
        method: 'PATCH',
        headers: { authorization: `Bearer ${stack.operator.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ app: { ...created.body.app, version: '2.0.0' } }),
      });
      expect(changed.status).toBe(200);
      await eventually('the provider got the new server’s create call', async () =>
        serversOf().some((s) => s.name === `oc-${id}-g2`) ? true : undefined,
      );
      await process.kill('SIGKILL');

      await process.start();
      await deploymentWhen(
        stack,
        id,
        'the new version Ready after the restart',
        answeringWith('2.0.0'),
        30_000,
      );
      await eventually('the first server deleted', async () =>
        serversOf().some((s) => s.id === first?.id) ? undefined : true,
      );
      const [server] = serversOf();
      expect(serversOf().map((s) => s.name)).toEqual([`oc-${id}-g2`]);
      expect(creates()).toBe(createsBefore + 1); // the unanswered call's server was adopted, not made again
      const volumes = [...cloud.state.volumes.values()].filter((v) => v.name === `oc-${id}-data`);
      expect(volumes.map((v) => v.serverId)).toEqual([server?.id]);
    },
  );
});

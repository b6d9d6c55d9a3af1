import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@onecommons/testing';
import {
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

describe('a provisioner killed in the middle of creating a server', () => {
  it('adopts the server on restart instead of making a second one', async () => {
    const process = stack.provisionerProcess;
    if (!process) throw new Error('the provisioner runs as a process here');
    const accountId = await stack.registerAccount('hetzner');
    const serviceId = await stack.newService(stack.operator.organizationId);
    // The provider makes the server at once but answers only after 15 s: the process dies before it hears.
    stack.hetzner.faults.delayNext(1, 15_000, { method: 'POST' });
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    await eventually('the provider got the create call', async () =>
      stack.hetzner.state.servers.size === 1 ? true : undefined,
    );
    const [intent] = await stack.provisioner.query<{ state: string }>(
      'SELECT state FROM provider_operations WHERE deployment_id = $1',
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
    expect(stack.hetzner.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
    expect(running.serverId).toBe(String(servers[0]?.id));
    const operations = await stack.provisioner.query<{ kind: string; state: string; error: string }>(
      'SELECT kind, state, error FROM provider_operations WHERE deployment_id = $1 ORDER BY id',
      [created.body.id],
    );
    expect(operations).toEqual([
      { kind: 'create', state: 'succeeded', error: expect.stringContaining('adopted') },
    ]);
  });
});

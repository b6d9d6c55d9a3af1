import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type FakeCloud, startFakeHetzner } from '@onecommons/fake-clouds';
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
} from './provisioner-stack.js';

let stack: ProvisionerStack;
let hetznerAccount: string;
/**
 * Hetzner fakes of the tests' own, started before the provisioner: it calls only the API addresses it was
 * configured with, compared exactly (origin and path).
 */
const extraFakes: FakeCloud[] = [];
let rateLimitedFake: FakeCloud;
const OWN_FAKES = 5;

beforeAll(async () => {
  const fakeOptions = { token: CLOUD_TOKEN, actionDurationMs: 150, appStartMs: 100 };
  for (let index = 0; index < OWN_FAKES; index++) extraFakes.push(await startFakeHetzner(fakeOptions));
  rateLimitedFake = await startFakeHetzner({ ...fakeOptions, rateLimit: { limit: 10, windowMs: 2_000 } });
  extraFakes.push(rateLimitedFake);
  stack = await startProvisionerStack(
    {},
    { extraAllowedBaseUrls: extraFakes.map((fake) => `${fake.url}/v1`), extraClouds: extraFakes },
  );
  hetznerAccount = await stack.registerAccount('hetzner');
});

afterAll(async () => {
  await stack.stop();
  await Promise.all(extraFakes.map((fake) => fake.close()));
});

let ownFakesTaken = 0;

/** A Hetzner fake of the test's own (so no other deployment's calls use up its faults) and an account at it. */
async function ownHetzner(options: { rateLimited?: boolean; maxServers?: number } = {}) {
  const fake = options.rateLimited
    ? rateLimitedFake
    : ownFakesTaken < OWN_FAKES
      ? extraFakes[ownFakesTaken++]
      : undefined;
  if (!fake) throw new Error(`more than ${OWN_FAKES} tests want a fake of their own: raise OWN_FAKES`);
  const accountId = await stack.registerAccount('hetzner', {
    baseUrl: `${fake.url}/v1`,
    ...(options.maxServers === undefined ? {} : { maxServers: options.maxServers }),
  });
  return { fake, accountId };
}

/** The calls made for the deployment's server (its firewall, volumes and DNS have operations of their own). */
const operations = (deploymentId: string) =>
  stack.provisioner.query<{ kind: string; state: string; resource_id: string | null; error: string | null }>(
    `SELECT kind, state, resource_id, error FROM provider_operations
      WHERE deployment_id = $1 AND kind IN ('create', 'delete') ORDER BY id`,
    [deploymentId],
  );
const SERVER_CREATE = { method: 'POST', path: '/v1/servers' };

const ready = (deployment: DeploymentBody) => condition(deployment, 'Ready')?.status === 'True';

describe('a deployment', () => {
  it('creates one server with the deployment’s name and labels, then is Ready', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx22',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      serviceId,
      phase: 'Pending',
      desired: 'present',
      provider: {
        id: stack.provider.organizationId,
        accountId: hetznerAccount,
        api: 'hetzner',
        region: 'fsn1',
        size: 'cx22',
      },
    });
    const id = created.body.id;

    const running = await deploymentWhen(stack, id, 'the deployment to be Ready', ready);
    expect(running.phase).toBe('Running');
    expect(condition(running, 'Ready')).toMatchObject({ status: 'True', reason: 'AppAnswering' });
    expect(condition(running, 'Synced')).toMatchObject({ status: 'True', reason: 'Reconciled' });
    expect(Date.parse(condition(running, 'Ready')?.lastTransitionTime ?? '')).toBeGreaterThan(0);

    const servers = [...stack.hetzner.state.servers.values()].filter(
      (server) => server.labels['onecommons.org/deployment'] === id,
    );
    expect(servers).toHaveLength(1);
    expect(servers[0]).toMatchObject({
      name: `oc-${id}`,
      status: 'running',
      size: 'cx22',
      region: 'fsn1',
      image: 'debian-12',
      labels: {
        'managed-by': 'onecommons',
        'onecommons.org/deployment': id,
        'onecommons.org/service': serviceId,
      },
    });
    expect(running.serverId).toBe(String(servers[0]?.id));
    expect(await operations(id)).toMatchObject([
      { kind: 'create', state: 'succeeded', resource_id: String(servers[0]?.id) },
    ]);

    // Stays one server however often it is reconciled again.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(
      [...stack.hetzner.state.servers.values()].filter((server) => server.name === `oc-${id}`),
    ).toHaveLength(1);

    const listed = await json<{ items: DeploymentBody[] }>(stack.url('/deployments'), 'GET', {
      credential: stack.operator.token,
    });
    expect(listed.body.items.find((item) => item.id === id)).toMatchObject({
      id,
      serviceId,
      provider: { api: 'hetzner' },
      phase: 'Running',
    });
    const events = await stack.provisioner.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'onecommons.provisioner.deployment.status-changed.v1' ORDER BY id`,
      [id],
    );
    const phases = events.map((row) => (JSON.parse(row.payload) as { data: { phase: string } }).data.phase);
    expect(phases.filter((phase, index) => phase !== phases[index - 1])).toEqual([
      'Pending',
      'Provisioning',
      'Running',
    ]);
  });

  it('is only for the service’s own operator, and checks its input', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const placement = { serviceId, providerAccountId: hetznerAccount, region: 'fsn1', size: 'cx22' };
    expect(await deploy(stack, placement, stack.otherOperator)).toMatchObject({
      status: 404,
      body: { error: { code: 'service_not_found' } },
    });
    expect((await deploy(stack, placement, stack.provider)).status).toBe(403);
    expect(
      (
        await json(stack.url(`/organizations/${stack.operator.organizationId}/deployments`), 'POST', {
          body: placement,
        })
      ).status,
    ).toBe(401);
    expect(await deploy(stack, { ...placement, region: 'mars1' })).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_region', field: 'region' } },
    });
    expect(await deploy(stack, { ...placement, size: 'cx999' })).toMatchObject({
      status: 400,
      body: { error: { code: 'unknown_size', field: 'size' } },
    });
    expect(await deploy(stack, { ...placement, serviceId: 'not-a-uuid' })).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'serviceId' } },
    });
    expect(await deploy(stack, { ...placement, providerAccountId: crypto.randomUUID() })).toMatchObject({
      status: 400,
      body: { error: { field: 'providerAccountId' } },
    });

    const created = await deploy(stack, placement);
    expect(created.status).toBe(201);
    expect(await deploy(stack, placement)).toMatchObject({
      status: 409,
      body: { error: { code: 'already_deployed' } },
    });
    // Another operator neither sees nor tears it down.
    const path = stack.url(`/deployments/${created.body.id}`);
    expect((await json(path, 'GET', { credential: stack.otherOperator.token })).status).toBe(404);
    expect((await json(path, 'DELETE', { credential: stack.otherOperator.token })).status).toBe(404);
    const others = await json<{ items: DeploymentBody[] }>(stack.url('/deployments'), 'GET', {
      credential: stack.otherOperator.token,
    });
    expect(others.body.items.map((item) => item.id)).not.toContain(created.body.id);
    // The provider that hosts it sees it.
    expect((await json(path, 'GET', { credential: stack.provider.token })).status).toBe(200);
  });

  it('never books a provider account beyond its capacity', async () => {
    const { accountId } = await ownHetzner({ maxServers: 1 });
    const first = await stack.newService(stack.operator.organizationId);
    const second = await stack.newService(stack.operator.organizationId);
    const placement = { providerAccountId: accountId, region: 'fsn1', size: 'cx22' };
    const created = await deploy(stack, { serviceId: first, ...placement });
    expect(created.status).toBe(201);
    expect(await deploy(stack, { serviceId: second, ...placement })).toMatchObject({
      status: 409,
      body: { error: { code: 'capacity_exhausted', field: 'providerAccountId' } },
    });
    await json(stack.url(`/deployments/${created.body.id}`), 'DELETE', { credential: stack.operator.token });
    await deploymentWhen(stack, created.body.id, 'Absent', (d) => d.phase === 'Absent');
    expect((await deploy(stack, { serviceId: second, ...placement })).status).toBe(201);
  });

  it('retries 5xx answers with capped backoff, and never makes a second server', async () => {
    const { fake, accountId } = await ownHetzner();
    fake.faults.failNext(3);
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'hel1',
      size: 'cx22',
    });
    await deploymentWhen(stack, created.body.id, 'Ready after the failures', ready);
    const failures = fake.requests.filter((request) => request.status === 500);
    expect(failures).toHaveLength(3);
    // Attempt n waits at least half of min(max, base·2^(n-1)): 50, 100, 200 ms with base 100, max 400.
    const gaps = failures.map((failure) => {
      const next = fake.requests[fake.requests.indexOf(failure) + 1];
      return (next?.at ?? Infinity) - failure.at;
    });
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(100);
    expect(gaps[2]).toBeGreaterThanOrEqual(200);
    expect(fake.state.servers.size).toBe(1);
  });

  it('adopts the server when the create call timed out after the provider made it', async () => {
    const { fake, accountId } = await ownHetzner();
    fake.faults.delayNext(1, 2_000, SERVER_CREATE); // carried out, answered after the client gave up (700 ms)
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    const running = await deploymentWhen(stack, created.body.id, 'Ready after adopting', ready);
    expect(fake.state.servers.size).toBe(1);
    expect(
      fake.requests.filter((request) => request.method === 'POST' && request.path === '/v1/servers'),
    ).toHaveLength(1);
    const [server] = [...fake.state.servers.values()];
    expect(running.serverId).toBe(String(server?.id));
    expect(await operations(created.body.id)).toEqual([
      {
        kind: 'create',
        state: 'succeeded',
        resource_id: String(server?.id),
        error: expect.stringContaining('adopted'),
      },
    ]);
  });

  it('creates again when a failed create call never reached the provider', async () => {
    const { fake, accountId } = await ownHetzner();
    fake.faults.failNext(1, SERVER_CREATE);
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    await deploymentWhen(stack, created.body.id, 'Ready after creating again', ready);
    expect(fake.state.servers.size).toBe(1);
    expect((await operations(created.body.id)).map((operation) => [operation.kind, operation.state])).toEqual(
      [
        ['create', 'failed'],
        ['create', 'succeeded'],
      ],
    );
  });

  it('reports a failed action as Ready False with its reason, then replaces the server', async () => {
    const { fake, accountId } = await ownHetzner();
    fake.faults.errorNextActions(1);
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    const failed = await deploymentWhen(
      stack,
      created.body.id,
      'the action failure',
      (d) => condition(d, 'Ready')?.reason === 'ProviderActionFailed',
    );
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'ProviderActionFailed' });
    expect(condition(failed, 'Ready')?.message).toContain('action_failed');
    expect(failed.phase).toBe('Failed');
    await deploymentWhen(stack, created.body.id, 'Ready on a new server', ready);
    expect(fake.state.servers.size).toBe(1);
    expect((await operations(created.body.id)).map((operation) => [operation.kind, operation.state])).toEqual(
      [
        ['create', 'failed'],
        ['delete', 'succeeded'],
        ['create', 'succeeded'],
      ],
    );
  });

  it('honours 429 and the rate-limit headers: no call before the announced reset', async () => {
    const { fake, accountId } = await ownHetzner({ rateLimited: true });
    fake.faults.spendRateBudget();
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    await deploymentWhen(stack, created.body.id, 'Ready within the budget', ready, 30_000);
    const log = fake.requests;
    expect(log[0]?.status).toBe(429);
    expect(log.filter((request) => request.status === 429)).toHaveLength(1);
    log.forEach((request, index) => {
      const next = log[index + 1];
      if (next && request.remaining === 0) expect(next.at).toBeGreaterThanOrEqual(request.reset * 1_000 - 20);
    });
    expect(fake.state.servers.size).toBe(1);
    const [budget] = await stack.provisioner.query<{ request_limit: number }>(
      'SELECT request_limit FROM provider_rate_budgets WHERE provider_account_id = $1',
      [accountId],
    );
    expect(budget?.request_limit).toBe(10);
  });

  it('tears down only what it created, then is Absent', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'fsn1',
      size: 'cx32',
    });
    const id = created.body.id;
    await deploymentWhen(stack, id, 'Ready', ready);
    // Servers that are not this deployment's: no labels, and another deployment's labels.
    const make = (name: string, labels: Record<string, string>) =>
      fetch(`${stack.hetzner.url}/v1/servers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${CLOUD_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, server_type: 'cx22', image: 'debian-12', location: 'fsn1', labels }),
      });
    expect((await make(`someone-${id.slice(0, 8)}`, {})).status).toBe(201);
    expect(
      (
        await make(`lookalike-${id.slice(0, 8)}`, {
          'managed-by': 'onecommons',
          'onecommons.org/deployment': crypto.randomUUID(),
        })
      ).status,
    ).toBe(201);

    const deleted = await json<DeploymentBody>(stack.url(`/deployments/${id}`), 'DELETE', {
      credential: stack.operator.token,
    });
    expect(deleted.status).toBe(202);
    expect(deleted.body).toMatchObject({ desired: 'absent', phase: 'Deleting' });
    const absent = await deploymentWhen(stack, id, 'Absent', (d) => d.phase === 'Absent');
    expect(condition(absent, 'Ready')).toMatchObject({ status: 'False', reason: 'Deleted' });
    expect(condition(absent, 'Synced')).toMatchObject({ status: 'True', reason: 'Deleted' });
    const names = [...stack.hetzner.state.servers.values()].map((server) => server.name);
    expect(names).not.toContain(`oc-${id}`);
    expect(names).toEqual(
      expect.arrayContaining([`someone-${id.slice(0, 8)}`, `lookalike-${id.slice(0, 8)}`]),
    );
    expect((await operations(id)).filter((operation) => operation.kind === 'delete')).toHaveLength(1);
    // The service can be deployed there again.
    expect(
      (await deploy(stack, { serviceId, providerAccountId: hetznerAccount, region: 'fsn1', size: 'cx22' }))
        .status,
    ).toBe(201);
  });

  it('runs on DigitalOcean too: droplet tagged, Ready, then torn down', async () => {
    const accountId = await stack.registerAccount('digitalocean');
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'ams3',
      size: 's-1vcpu-2gb',
    });
    const id = created.body.id;
    const running = await deploymentWhen(stack, id, 'Ready on DigitalOcean', ready);
    const droplets = [...stack.digitalocean.state.servers.values()].filter(
      (server) => server.name === `oc-${id}`,
    );
    expect(droplets).toHaveLength(1);
    expect(droplets[0]?.tags).toEqual([
      `onecommons-deployment:${id}`,
      `onecommons-service:${serviceId}`,
      'onecommons',
      'onecommons-generation:1',
    ]);
    expect(running.serverId).toBe(String(droplets[0]?.id));

    expect(
      (await json(stack.url(`/deployments/${id}`), 'DELETE', { credential: stack.operator.token })).status,
    ).toBe(202);
    await deploymentWhen(stack, id, 'Absent on DigitalOcean', (d) => d.phase === 'Absent');
    expect(
      [...stack.digitalocean.state.servers.values()].filter((server) => server.name === `oc-${id}`),
    ).toHaveLength(0);
  });

  it('is torn down when its service is retired', async () => {
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: hetznerAccount,
      region: 'hel1',
      size: 'cx22',
    });
    await deploymentWhen(stack, created.body.id, 'Ready', ready);
    await stack.retireService(serviceId, stack.operator.organizationId);
    await deploymentWhen(stack, created.body.id, 'Absent after retirement', (d) => d.phase === 'Absent');
    await eventually('the server is gone', async () =>
      [...stack.hetzner.state.servers.values()].some((s) => s.name === `oc-${created.body.id}`)
        ? undefined
        : true,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { periodOf } from '@onecommons/contracts';
import { ResourceUsageReporter } from '../src/usage/resource-usage-reporter.js';
import {
  condition,
  deploy,
  deploymentWhen,
  json,
  type ProvisionerStack,
  startProvisionerStack,
} from './provisioner-stack.js';

let stack: ProvisionerStack;

beforeAll(async () => {
  stack = await startProvisionerStack();
});

afterAll(async () => {
  await stack.stop();
});

interface Report {
  serviceId: string;
  providerId: string;
  period: string;
  points: string;
  uptimeSeconds: string;
}

const reportsOf = async (serviceId: string): Promise<Report[]> =>
  (
    await stack.provisioner.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE message_key = $1 AND event_type = 'onecommons.provisioner.resource-usage.reported.v1' ORDER BY id`,
      [serviceId],
    )
  ).map((row) => (JSON.parse(row.payload) as { data: Report }).data);

describe('resource usage', () => {
  it('is reported per service and provider as uptime times the size’s points, growing only, until teardown', async () => {
    const accountId = await stack.registerAccount('hetzner');
    const serviceId = await stack.newService(stack.operator.organizationId);
    const created = await deploy(stack, {
      serviceId,
      providerAccountId: accountId,
      region: 'fsn1',
      size: 'cx22',
    });
    await deploymentWhen(stack, created.body.id, 'Ready', (d) => condition(d, 'Ready')?.status === 'True');
    const reporter = stack.provisionerApp?.get(ResourceUsageReporter);
    if (!reporter) throw new Error('the provisioner runs in this process here');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await reporter.report();
    const [first] = await reportsOf(serviceId);
    // cx22: 2 vCPUs (1,024 points each) + 4,096 MiB = 6,144 points per second.
    expect(first).toMatchObject({
      serviceId,
      providerId: stack.provider.organizationId,
      period: periodOf(new Date()),
    });
    expect(BigInt(first?.uptimeSeconds ?? '0')).toBeGreaterThanOrEqual(2n);
    expect(BigInt(first?.points ?? '0')).toBe(BigInt(first?.uptimeSeconds ?? '0') * 6_144n);

    expect(
      (
        await json(stack.url(`/deployments/${created.body.id}`), 'DELETE', {
          credential: stack.operator.token,
        })
      ).status,
    ).toBe(202);
    await deploymentWhen(stack, created.body.id, 'Absent', (d) => d.phase === 'Absent');
    await reporter.report();
    const afterTeardown = await reportsOf(serviceId);
    const last = afterTeardown.at(-1);
    expect(BigInt(last?.points ?? '0')).toBeGreaterThanOrEqual(BigInt(first?.points ?? '0'));
    // Stopped: nothing grows any more, so nothing more is reported.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await reporter.report()).toBe(0);
    expect(await reportsOf(serviceId)).toHaveLength(afterTeardown.length);
    const [row] = await stack.provisioner.query<{ points: string }>(
      'SELECT points::text FROM resource_usage_reports WHERE service_id = $1',
      [serviceId],
    );
    expect(row?.points).toBe(last?.points);
  });
});

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { TOPICS } from '@onecommons/contracts';
import { consumerCaughtUp, eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import { runCommons } from './commons-cli.js';
import { suiteFetch } from './suite-address.js';

// `commons replay` against the running platform: metering's live projection, rebuilt from Kafka.

const stack = testStack();
describe('commons replay', () => {
  it('rebuilds metering from the topics and reports identical digests', async () => {
    const registered = await suiteFetch(`${stack.gatewayUrl}/api/identity/v1/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: `replay-${randomUUID()}@example.org`,
        password: 'a long enough passphrase',
      }),
    });
    expect(registered.status).toBe(201);
    await eventually('metering to consume everything identity published', async () =>
      (await consumerCaughtUp('metering', [TOPICS.identityEvents.name, TOPICS.catalogEvents.name]))
        ? true
        : undefined,
    );

    const envFile = path.join(stack.envDir, 'metering.env');
    const { code, stdout, stderr } = await runCommons([
      'replay',
      'metering',
      '--verify',
      '--env-file',
      envFile,
    ]);
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      live: string;
      rebuilt: string;
      identical: boolean;
      events: number;
    };
    expect(summary.identical).toBe(true);
    expect(summary.live).toBe(summary.rebuilt);
    expect(summary.live).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(summary.events).toBeGreaterThan(0);
    expect(stderr).toContain('digests identical');
  });

  it('exits 1 naming the service when the live projection has drifted from the events', async () => {
    const admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 1 });
    const [row] = (
      await admin.query<{ subscriber_id: string; plan: string }>(
        'SELECT subscriber_id, plan FROM metering.subscribers ORDER BY subscriber_id LIMIT 1',
      )
    ).rows;
    if (!row) throw new Error('metering has no subscribers yet');
    await admin.query(`UPDATE metering.subscribers SET plan = 'drifted' WHERE subscriber_id = $1`, [
      row.subscriber_id,
    ]);
    try {
      const envFile = path.join(stack.envDir, 'metering.env');
      const { code, stderr } = await runCommons(['replay', 'metering', '--verify', '--env-file', envFile]);
      expect(code).toBe(1);
      expect(stderr).toContain('replay metering: the rebuilt state differs from the live one');
    } finally {
      await admin.query('UPDATE metering.subscribers SET plan = $2 WHERE subscriber_id = $1', [
        row.subscriber_id,
        row.plan,
      ]);
      await admin.end();
    }
  });

  it('refuses an unknown service and a bad --from with exit 2 and the path of the bad value', async () => {
    const unknown = await runCommons(['replay', 'billing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('invalid input: service:');
    const badFrom = await runCommons(['replay', 'metering', '--from', 'yesterday']);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('invalid input: --from:');
  });
});

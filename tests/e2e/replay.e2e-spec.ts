import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from '@jest/globals';
import { TOPICS } from '@onecommons/contracts';
import { consumerCaughtUp, eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import { runCommons } from './commons-cli.js';
import { call, newAccount, newOrganization, platformAdmin, requestServiceKey } from './gateway-client.js';
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

    const { stdout, stderr } = await verifiedCleanly('metering');
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
      expect(stderr).toMatch(/^ {2}differs: subscribers \(live \d+ rows, rebuilt \d+\)$/m);
      expect(stderr).not.toContain('differs: meters');
      // Kept to be compared with the live schema.
      const kept = /^rebuilt schema kept: (metering_replay_\w+) \(to compare with the live one/m.exec(
        stderr,
      )?.[1];
      expect(kept).toBeDefined();
      await admin.query(`DROP SCHEMA ${pg.escapeIdentifier(kept ?? '')} CASCADE`);
    } finally {
      await admin.query('UPDATE metering.subscribers SET plan = $2 WHERE subscriber_id = $1', [
        row.subscriber_id,
        row.plan,
      ]);
      await admin.end();
    }
  });

  it('verifies the ledger clean while usage keeps arriving through the gateway', async () => {
    const { apiKey, serviceId, subscriber } = await meteredSubscriber();
    let sent = 0;
    let running = true;
    const traffic = (async () => {
      while (running) {
        const answer = await reportUsage(apiKey, serviceId, subscriber);
        expect(answer).toBe(202);
        sent++;
      }
    })();
    try {
      // Some traffic is on its way before the replay starts, and it goes on until the replay ended.
      await eventually('usage to flow', async () => (sent >= 5 ? true : undefined));
      const before = sent;
      const { stdout, stderr } = await verifiedCleanly('ledger');
      const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { identical: boolean };
      expect(summary.identical).toBe(true);
      expect(stderr).toContain("compared at the live state's positions in the log");
      expect(sent).toBeGreaterThan(before);
    } finally {
      running = false;
      await traffic;
    }
  }, 300_000); // a replay of the whole ledger log, on a platform that other files have loaded

  it('refuses an unknown service and a bad --from with exit 2 and the path of the bad value', async () => {
    const unknown = await runCommons(['replay', 'billing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('invalid input: service:');
    const badFrom = await runCommons(['replay', 'metering', '--from', 'yesterday']);
    expect(badFrom.code).toBe(2);
    expect(badFrom.stderr).toContain('invalid input: --from:');
  });
});

/** `commons replay <service> --verify` on the suite's stack; expects exit 0 (or shows what it printed). */
async function verifiedCleanly(service: string): Promise<{ stdout: string; stderr: string }> {
  const envFile = path.join(stack.envDir, `${service}.env`);
  const { code, stdout, stderr } = await runCommons(['replay', service, '--verify', '--env-file', envFile]);
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  return { stdout, stderr };
}

const REPLAY_METER = 'replay_requests';
/** Steady traffic, well under the gateway's per-address 50 requests/s. */
const USAGE_PACE_MS = 40;

/** A service with a metering key and a user it reports usage for, once metering accepts that usage. */
async function meteredSubscriber(): Promise<{ apiKey: string; serviceId: string; subscriber: string }> {
  const admin = await platformAdmin();
  const type = `replay-${randomUUID().slice(0, 8)}`;
  for (const [resource, body] of [
    [`/api/catalog/v1/service-types/${type}`, { providerBps: 3000, developerBps: 2000 }],
    [
      `/api/catalog/v1/meters/${REPLAY_METER}`,
      { weight: '1', unit: 'request', bound: { per: 'period', max: '1000000000' } },
    ],
  ] as const)
    expect([200, 201]).toContain((await call('PUT', resource, { credential: admin.token, body })).status);
  const developer = await newAccount('replay-developer');
  const app = await call<{ id: string }>(
    'POST',
    `/api/catalog/v1/organizations/${await newOrganization(developer, 'developer')}/apps`,
    {
      credential: developer.token,
      body: {
        name: `Replayed app ${randomUUID()}`,
        repositoryUrl: 'https://codeberg.org/x/app',
        license: 'MIT',
      },
    },
  );
  expect(app.status).toBe(201);
  const operator = await newAccount('replay-operator');
  const organization = await newOrganization(operator, 'operator');
  const service = await call<{ id: string }>(
    'POST',
    `/api/catalog/v1/organizations/${organization}/services`,
    {
      credential: operator.token,
      body: { appId: app.body.id, type, domain: `replay-${randomUUID().slice(0, 8)}.example.org` },
    },
  );
  expect(service.status).toBe(201);
  const key = await requestServiceKey(organization, operator.token, service.body.id);
  expect(key.status).toBe(201);
  const user = await newAccount('replay-user');
  // Metering learns the service, the meter and the user from their events a moment after they are made.
  await eventually('metering to accept usage for the user', async () =>
    (await reportUsage(key.body.key, service.body.id, user.id)) === 202 ? true : undefined,
  );
  return { apiKey: key.body.key, serviceId: service.body.id, subscriber: user.id };
}

/** One usage event through the gateway, under its per-address limit (50/s): its 429s waited out by `call`. */
async function reportUsage(apiKey: string, serviceId: string, subscriber: string): Promise<number> {
  const answer = await call('POST', '/api/metering/v1/events', {
    credential: apiKey,
    contentType: 'application/cloudevents+json',
    body: {
      specversion: '1.0',
      id: randomUUID(),
      source: '/replay-e2e',
      type: 'onecommons.usage.v1',
      subject: subscriber,
      time: new Date().toISOString(),
      data: { service: serviceId, meter: REPLAY_METER, quantity: 1 },
    },
  });
  await sleep(USAGE_PACE_MS);
  return answer.status;
}

import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import {
  eventually,
  jsonRequest,
  type RunningService,
  type ServiceProcess,
  startService,
  startServiceProcess,
} from '@onecommons/testing';
// Metering's tests boot the services it talks to (by their definition, nothing internal):
import { catalogService } from '@onecommons/catalog/definition';
import { identityService } from '@onecommons/identity/definition';
import { type MeteringConfig } from '../src/config.js';
import { meteringService } from '../src/metering.definition.js';

/**
 * Identity, catalog and metering as the platform runs them, in this process: a service's API key comes from
 * identity, meters and services reach metering through catalog's events on Kafka.
 */
export interface MeteringStack {
  readonly identity: RunningService;
  readonly catalog: RunningService;
  /** In this process, or (with `asProcess`) its own OS process that a test may kill. */
  readonly metering: Pick<RunningService, 'url' | 'query'>;
  /** Set when metering runs as its own process. */
  readonly meteringProcess?: ServiceProcess;
  /** Set when metering runs in this process. */
  readonly meteringInProcess?: RunningService<MeteringConfig>;
  readonly adminToken: string;
  readonly operatorToken: string;
  readonly operatorId: string;
  stop(): Promise<void>;
}

const PASSWORD = 'correct horse battery staple';

export const json = jsonRequest;

/** A correction window reaching back to the earlier periods the suites seed usage in (2018, 2019). */
export const WIDE_CORRECTION_WINDOW = { METERING_CORRECTION_WINDOW_MONTHS: '1200' } as const;

export async function startMeteringStack(
  meteringEnv: Record<string, string> = {},
  { asProcess = false }: { asProcess?: boolean } = {},
): Promise<MeteringStack> {
  const bootstrapToken = `bootstrap-${randomUUID()}-${randomUUID()}`;
  const identity = await startService(identityService, {
    env: {
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrapToken,
      REGISTRATION_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  const auth = {
    AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
    AUTH_API_KEY_INTROSPECTION_URL: `${identity.url}/api/identity/v1/internal/api-keys/introspect`,
  };
  const catalog = await startService(catalogService, { env: auth });
  const meteringOptions = { env: { ...auth, ...meteringEnv } };
  const meteringProcess = asProcess ? await startServiceProcess(meteringService, meteringOptions) : undefined;
  const meteringInProcess = asProcess ? undefined : await startService(meteringService, meteringOptions);
  const metering = (meteringProcess ?? meteringInProcess) as Pick<RunningService, 'url' | 'query'>;
  const id = (path: string) => `${identity.url}/api/identity/v1${path}`;

  const account = async (label: string) => {
    const email = `${label}-${randomUUID()}@example.org`;
    const created = await json<{ id: string }>(id('/accounts'), 'POST', {
      body: { email, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const login = async () =>
      (await json<{ accessToken: string }>(id('/sessions'), 'POST', { body: { email, password: PASSWORD } }))
        .body.accessToken;
    return { id: created.body.id, login };
  };
  const admin = await account('admin');
  expect(
    (
      await json(id('/admins/bootstrap'), 'POST', {
        credential: await admin.login(),
        body: { token: bootstrapToken },
      })
    ).status,
  ).toBe(200);
  const operator = await account('operator');
  const organization = await json<{ id: string }>(id('/organizations'), 'POST', {
    credential: await operator.login(),
    body: { name: `Operator ${randomUUID()}`, kind: 'operator' },
  });
  return {
    identity,
    catalog,
    metering,
    ...(meteringProcess ? { meteringProcess } : {}),
    ...(meteringInProcess ? { meteringInProcess } : {}),
    adminToken: await admin.login(),
    operatorToken: await operator.login(),
    operatorId: organization.body.id,
    async stop() {
      await (meteringProcess ?? meteringInProcess)?.stop();
      await catalog.stop();
      await identity.stop();
    },
  };
}

/** Defines meters through catalog and waits until metering knows them. */
export async function defineMeters(stack: MeteringStack, meters: Record<string, number>): Promise<void> {
  for (const [name, weight] of Object.entries(meters)) {
    const defined = await json(`${stack.catalog.url}/api/catalog/v1/meters/${name}`, 'PUT', {
      credential: stack.adminToken,
      body: { weight },
    });
    expect(defined.status).toBe(200);
  }
  await eventually('metering knows the meters', async () => {
    const rows = await stack.metering.query<{ name: string }>(
      'SELECT name FROM meters WHERE name = ANY($1)',
      [Object.keys(meters)],
    );
    return rows.length === Object.keys(meters).length ? true : undefined;
  });
}

/** A service of the stack's operator (through catalog) and its `metering:write` key (through identity). */
export async function newService(stack: MeteringStack): Promise<{ serviceId: string; apiKey: string }> {
  const catalogUrl = `${stack.catalog.url}/api/catalog/v1`;
  const type = `web-${randomUUID().slice(0, 8)}`;
  await json(`${catalogUrl}/service-types/${type}`, 'PUT', {
    credential: stack.adminToken,
    body: { providerBps: 3000, developerBps: 2000 },
  });
  const developer = stack.adminToken;
  // Admins may act for any organization: the app belongs to a developer org, made here by the admin.
  const developerOrg = await json<{ id: string }>(
    `${stack.identity.url}/api/identity/v1/organizations`,
    'POST',
    {
      credential: developer,
      body: { name: `Developers ${randomUUID()}`, kind: 'developer' },
    },
  );
  const app = await json<{ id: string }>(`${catalogUrl}/organizations/${developerOrg.body.id}/apps`, 'POST', {
    credential: stack.adminToken,
    body: { name: `App ${randomUUID()}`, repositoryUrl: 'https://codeberg.org/x/y', license: 'MIT' },
  });
  expect(app.status).toBe(201);
  const service = await json<{ id: string }>(
    `${catalogUrl}/organizations/${stack.operatorId}/services`,
    'POST',
    {
      credential: stack.operatorToken,
      body: { appId: app.body.id, type, domain: `svc-${randomUUID().slice(0, 8)}.example.org` },
    },
  );
  expect(service.status).toBe(201);
  // Identity learns the service from catalog's event: until then it answers 409 service_not_known_yet.
  const key = await eventually('identity issues a key for the new service', async () => {
    const answer = await json<{ key: string; error?: { code: string } }>(
      `${stack.identity.url}/api/identity/v1/organizations/${stack.operatorId}/api-keys`,
      'POST',
      {
        credential: stack.operatorToken,
        body: { name: 'usage', scopes: ['metering:write'], serviceId: service.body.id },
      },
    );
    return answer.body.error?.code === 'service_not_known_yet' ? undefined : answer;
  });
  expect(key.status).toBe(201);
  await eventually('metering knows the service', async () => {
    const rows = await stack.metering.query('SELECT 1 FROM services WHERE service_id = $1', [
      service.body.id,
    ]);
    return rows.length > 0 ? true : undefined;
  });
  return { serviceId: service.body.id, apiKey: key.body.key };
}

/** A fresh subscriber account's id and access token, once metering knows the subscriber. */
export async function newSubscriber(stack: MeteringStack): Promise<{ id: string; token: string }> {
  const email = `subscriber-${randomUUID()}@example.org`;
  const base = `${stack.identity.url}/api/identity/v1`;
  const created = await json<{ id: string }>(`${base}/accounts`, 'POST', {
    body: { email, password: PASSWORD },
  });
  expect(created.status).toBe(201);
  const session = await json<{ accessToken: string }>(`${base}/sessions`, 'POST', {
    body: { email, password: PASSWORD },
  });
  await knownSubscribers(stack, [created.body.id]);
  return { id: created.body.id, token: session.body.accessToken };
}

/** Fresh subscriber accounts (ids only), once metering knows them all: usage is only taken for subscribers. */
export async function newSubscriberIds(stack: MeteringStack, count: number): Promise<string[]> {
  const base = `${stack.identity.url}/api/identity/v1`;
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const created = await json<{ id: string }>(`${base}/accounts`, 'POST', {
      body: { email: `subscriber-${randomUUID()}@example.org`, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    ids.push(created.body.id);
  }
  await knownSubscribers(stack, ids);
  return ids;
}

async function knownSubscribers(stack: MeteringStack, ids: readonly string[]): Promise<void> {
  await eventually('metering knows the subscribers', async () => {
    const rows = await stack.metering.query(
      'SELECT 1 FROM subscribers WHERE subscriber_id = ANY($1::uuid[])',
      [ids],
    );
    return rows.length === ids.length ? true : undefined;
  });
}

/**
 * Usage counted in an earlier period, written straight into metering's tables as an ingest would have (an
 * event, and its aggregate, in the period's partition): the API takes usage only for open periods, so a test
 * cannot send it now. Its stack needs a correction window reaching back to the period (`WIDE_CORRECTION_WINDOW`)
 * for corrections of it to be taken.
 */
export async function seedEarlierUsage(
  stack: MeteringStack,
  usage: { period: string; subscriber: string; serviceId: string; meter: string; quantity: number },
): Promise<{ source: string; id: string }> {
  const event = { source: `/services/${usage.serviceId}`, id: randomUUID() };
  await stack.metering.query(`SELECT ensure_usage_partitions(ARRAY[$1])`, [usage.period]);
  await stack.metering.query(
    `WITH event AS (
       INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period,
                                 event_time)
       VALUES (usage_event_digest($4, $1, $2), $1, $2, $3, $4, $5, $6, $7, ($7 || '-10T12:00:00Z')::timestamptz)
       RETURNING 1
     )
     INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
     VALUES ($7, $3, $4, $5, $6, 1)
     ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
       SET quantity = usage_aggregates.quantity + EXCLUDED.quantity, events = usage_aggregates.events + 1`,
    [event.source, event.id, usage.subscriber, usage.serviceId, usage.meter, usage.quantity, usage.period],
  );
  return event;
}

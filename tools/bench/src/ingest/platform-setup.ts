import { randomUUID } from 'node:crypto';
import { sleep } from '@onecommons/kafka';
import { type TestStack, testStack } from '@onecommons/testing';
import { loadavg } from 'node:os';
import pg from 'pg';

const IDENTITY = '/api/identity/v1';
const CATALOG = '/api/catalog/v1';
const PASSWORD = 'bench horse battery staple';

/** What the load needs: a service of an operator, its `metering:write` key, and meters metering knows. */
export interface IngestSetup {
  readonly serviceId: string;
  readonly apiKey: string;
}

class SetupError extends Error {
  constructor(method: string, pathname: string, status: number, body: string) {
    super(`${method} ${pathname} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'SetupError';
  }
}

async function call<Body>(
  gateway: string,
  method: string,
  pathname: string,
  options: { credential?: string; body?: unknown; statuses?: readonly number[] } = {},
): Promise<Body> {
  const response = await fetch(new URL(pathname, gateway), {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  const ok = options.statuses ? options.statuses.includes(response.status) : response.ok;
  if (!ok) throw new SetupError(method, pathname, response.status, text);
  return (text ? JSON.parse(text) : {}) as Body;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

/**
 * Sets the platform up through its public API (the gateway), as an operator would: an admin (identity's
 * bootstrap token) defines the meters and a service type; a developer organization's app; an operator
 * organization's service and its `metering:write` key. Waits until metering has learned the meters and the
 * service from catalog's events (read in metering's schema of the bench database).
 */
export async function setUpIngest(options: {
  readonly gateway: string;
  readonly bootstrapToken: string;
  readonly meters: readonly string[];
  readonly postgresAdminUrl: string;
}): Promise<IngestSetup> {
  const api = <Body>(method: string, pathname: string, rest: Parameters<typeof call>[3] = {}) =>
    call<Body>(options.gateway, method, pathname, rest);
  const account = async (label: string) => {
    const email = `bench-${label}-${randomUUID()}@example.org`;
    await api('POST', `${IDENTITY}/accounts`, { body: { email, password: PASSWORD }, statuses: [201] });
    return async () =>
      (
        await api<{ accessToken: string }>('POST', `${IDENTITY}/sessions`, {
          body: { email, password: PASSWORD },
        })
      ).accessToken;
  };
  const adminLogin = await account('admin');
  await api('POST', `${IDENTITY}/admins/bootstrap`, {
    credential: await adminLogin(),
    body: { token: options.bootstrapToken },
    statuses: [200],
  });
  const admin = await adminLogin(); // a fresh token carries the admin role
  for (const meter of options.meters)
    await api('PUT', `${CATALOG}/meters/${meter}`, { credential: admin, body: { weight: 1 } });
  const type = `bench-${randomUUID().slice(0, 8)}`;
  await api('PUT', `${CATALOG}/service-types/${type}`, {
    credential: admin,
    body: { providerBps: 3000, developerBps: 2000 },
  });
  const developers = await api<{ id: string }>('POST', `${IDENTITY}/organizations`, {
    credential: admin,
    body: { name: `Bench developers ${randomUUID()}`, kind: 'developer' },
  });
  const app = await api<{ id: string }>('POST', `${CATALOG}/organizations/${developers.id}/apps`, {
    credential: admin,
    body: {
      name: `Bench app ${randomUUID()}`,
      repositoryUrl: 'https://codeberg.org/bench/app',
      license: 'MIT',
    },
  });
  const operatorLogin = await account('operator');
  const operatorOrg = await api<{ id: string }>('POST', `${IDENTITY}/organizations`, {
    credential: await operatorLogin(),
    body: { name: `Bench operator ${randomUUID()}`, kind: 'operator' },
  });
  const operator = await operatorLogin(); // a fresh token carries the new membership
  const service = await api<{ id: string }>('POST', `${CATALOG}/organizations/${operatorOrg.id}/services`, {
    credential: operator,
    body: { appId: app.id, type, domain: `bench-${randomUUID().slice(0, 8)}.example.org` },
  });
  // Identity learns the service from catalog's events: it answers 409 service_not_known_yet until then.
  let apiKey: string | undefined;
  await until('identity knows the service', async () => {
    const answer = await api<{ key?: string; error?: { code: string } }>(
      'POST',
      `${IDENTITY}/organizations/${operatorOrg.id}/api-keys`,
      {
        credential: operator,
        body: { name: 'bench usage', scopes: ['metering:write'], serviceId: service.id },
        statuses: [201, 409],
      },
    );
    if (answer.error && answer.error.code !== 'service_not_known_yet')
      throw new Error(`identity refused the service's key: ${answer.error.code}`);
    apiKey = answer.key;
    return apiKey !== undefined;
  });
  const metering = new pg.Client({ connectionString: options.postgresAdminUrl });
  await metering.connect();
  try {
    await until('metering knows the meters and the service', async () => {
      const { rows } = await metering.query<{ meters: number; services: number }>(
        `SELECT (SELECT count(*)::int FROM metering.meters WHERE name = ANY($1)) AS meters,
                (SELECT count(*)::int FROM metering.services WHERE service_id = $2) AS services`,
        [options.meters, service.id],
      );
      return rows[0]?.meters === options.meters.length && rows[0]?.services === 1;
    });
  } finally {
    await metering.end();
  }
  return { serviceId: service.id, apiKey: apiKey as string };
}

/**
 * Makes the load's subscribers known to metering. Registering 20,000 accounts through identity would take
 * longer than the load (a password hash each), and identity is not what this bench measures: metering's
 * subscribers projection gets the rows identity's SubscriberRegistered events would give it.
 */
export async function registerSubscribers(
  postgresAdminUrl: string,
  subscribers: readonly string[],
): Promise<void> {
  const metering = new pg.Client({ connectionString: postgresAdminUrl });
  await metering.connect();
  try {
    await metering.query(
      `INSERT INTO metering.subscribers (subscriber_id, plan, registered_at)
       SELECT id, 'free', now() FROM unnest($1::uuid[]) AS t(id) ON CONFLICT (subscriber_id) DO NOTHING`,
      [subscribers],
    );
  } finally {
    await metering.end();
  }
}

/** The identity admin bootstrap token `./dev bench` hands a benchmark that needs the platform. */
export function benchBootstrapToken(bench: string): string {
  const token = process.env['BENCH_IDENTITY_ADMIN_BOOTSTRAP_TOKEN'];
  if (!token)
    throw new Error(`BENCH_IDENTITY_ADMIN_BOOTSTRAP_TOKEN is not set (run through ./dev bench ${bench})`);
  return token;
}

/** A bench that sends usage through the gateway: its stack, the ingest URL and the service it sends as. */
export interface IngestBench extends IngestSetup {
  readonly stack: TestStack;
  readonly url: string;
  /** The 1-minute load average before the bench began, which its report states. */
  readonly loadBefore: number;
}

/** The common start of the ingest and pipeline benches: the platform set up through the gateway. */
export async function startIngestBench(
  bench: string,
  meters: readonly string[],
  log: (message: string) => void,
): Promise<IngestBench> {
  const stack = testStack();
  const loadBefore = loadavg()[0] ?? 0;
  log('setting up a service, its meters and its API key through the gateway');
  const setup = await setUpIngest({
    gateway: stack.gatewayUrl,
    bootstrapToken: benchBootstrapToken(bench),
    meters,
    postgresAdminUrl: stack.postgresAdminUrl,
  });
  return { ...setup, stack, url: `${stack.gatewayUrl}/api/metering/v1/events`, loadBefore };
}

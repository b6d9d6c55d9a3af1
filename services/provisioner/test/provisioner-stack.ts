import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { createEvent, ServiceCreatedV1, ServiceUpdatedV1, TOPICS } from '@onecommons/contracts';
import {
  type FakeAppEdge,
  type FakeCloud,
  startFakeAppEdge,
  startFakeDigitalOcean,
  startFakeHetzner,
} from '@onecommons/fake-clouds';
import {
  eventually,
  jsonRequest,
  RawProducer,
  type RunningService,
  type ServiceProcess,
  startService,
  startServiceProcess,
} from '@onecommons/testing';
// The provisioner's tests boot identity (by its definition, nothing internal) for real access tokens:
import { identityService } from '@onecommons/identity/definition';
import { provisionerService } from '../src/provisioner.definition.js';

export const CLOUD_TOKEN = `cloud-token-${randomUUID()}`;
const PASSWORD = 'correct horse battery staple';

export const json = jsonRequest;

export interface Party {
  readonly accountId: string;
  readonly organizationId: string;
  /** A token issued after the organization existed, so it carries the membership. */
  readonly token: string;
}

export interface ProvisionerStack {
  readonly identity: RunningService;
  /** In this process, or (with `asProcess`) its own OS process that a test may kill. */
  readonly provisioner: Pick<RunningService, 'url' | 'query'>;
  readonly provisionerApp?: RunningService['app'];
  readonly provisionerProcess?: ServiceProcess;
  readonly hetzner: FakeCloud;
  readonly digitalocean: FakeCloud;
  /** Where the apps on the fakes' servers answer, through the fakes' DNS (the provisioner's health checks go here). */
  readonly edge: FakeAppEdge;
  readonly credentialsKey: string;
  readonly adminToken: string;
  readonly provider: Party;
  readonly operator: Party;
  readonly otherOperator: Party;
  readonly url: (path: string) => string;
  /** Publishes a catalog service of the operator and waits until the provisioner knows it. */
  newService(operatorId: string, options?: { domain?: string }): Promise<string>;
  retireService(serviceId: string, operatorId: string): Promise<void>;
  /** Registers a provider account of the stack's provider organization at a fake. */
  registerAccount(api: 'hetzner' | 'digitalocean', overrides?: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

/** Test-speed settings: a fast loop, short backoff and timeouts. */
export const FAST_LOOP = {
  PROVISIONER_RECONCILE_INTERVAL_MS: '50',
  PROVISIONER_RECONCILE_CLAIM_MS: '1000', // a killed provisioner's deployment is taken up again soon
  PROVISIONER_RESYNC_INTERVAL_MS: '1000',
  PROVISIONER_PROVIDER_TIMEOUT_MS: '700',
  PROVISIONER_BACKOFF_BASE_MS: '100',
  PROVISIONER_BACKOFF_MAX_MS: '400',
  PROVISIONER_USAGE_REPORT_INTERVAL_MS: '0',
};

export async function startProvisionerStack(
  env: Record<string, string> = {},
  cloud: {
    actionDurationMs?: number;
    rateLimit?: { limit: number; windowMs: number };
    /** Base URLs allowed beside the stack's own fakes' (`PROVISIONER_ALLOWED_API_BASE_URLS`). */
    extraAllowedBaseUrls?: readonly string[];
    /** Fakes of the test's own whose apps the edge should reach too. */
    extraClouds?: readonly FakeCloud[];
  } = {},
  { asProcess = false }: { asProcess?: boolean } = {},
): Promise<ProvisionerStack> {
  const bootstrapToken = `bootstrap-${randomUUID()}-${randomUUID()}`;
  const identity = await startService(identityService, {
    env: {
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrapToken,
      REGISTRATION_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  const fakeOptions = {
    token: CLOUD_TOKEN,
    actionDurationMs: cloud.actionDurationMs ?? 150,
    appStartMs: 100,
    ...(cloud.rateLimit ? { rateLimit: cloud.rateLimit } : {}),
  };
  const hetzner = await startFakeHetzner(fakeOptions);
  const digitalocean = await startFakeDigitalOcean(fakeOptions);
  const edge = await startFakeAppEdge({ clouds: [hetzner, digitalocean, ...(cloud.extraClouds ?? [])] });
  const credentialsKey = randomBytes(32).toString('base64');
  const provisionerOptions = {
    env: {
      AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
      PROVISIONER_CREDENTIALS_KEY: credentialsKey,
      PROVISIONER_ALLOWED_API_BASE_URLS: [
        `${hetzner.url}/v1`,
        digitalocean.url,
        ...(cloud.extraAllowedBaseUrls ?? []),
      ].join(','),
      PROVISIONER_APP_CONNECT_TO: edge.url,
      ...FAST_LOOP,
      ...env,
    },
  };
  const provisionerProcess = asProcess
    ? await startServiceProcess(provisionerService, provisionerOptions)
    : undefined;
  const provisionerInProcess = asProcess
    ? undefined
    : await startService(provisionerService, provisionerOptions);
  const provisioner = (provisionerProcess ?? provisionerInProcess) as Pick<RunningService, 'url' | 'query'>;
  const idUrl = (path: string) => `${identity.url}/api/identity/v1${path}`;
  const login = async (email: string) =>
    (await json<{ accessToken: string }>(idUrl('/sessions'), 'POST', { body: { email, password: PASSWORD } }))
      .body.accessToken;
  const account = async (label: string) => {
    const email = `${label}-${randomUUID()}@example.org`;
    const created = await json<{ id: string }>(idUrl('/accounts'), 'POST', {
      body: { email, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    return { id: created.body.id, email };
  };
  const party = async (kind: 'provider' | 'operator'): Promise<Party> => {
    const who = await account(kind);
    const organization = await json<{ id: string }>(idUrl('/organizations'), 'POST', {
      credential: await login(who.email),
      body: { name: `${kind} ${randomUUID()}`, kind },
    });
    expect(organization.status).toBe(201);
    return { accountId: who.id, organizationId: organization.body.id, token: await login(who.email) };
  };
  const admin = await account('admin');
  expect(
    (
      await json(idUrl('/admins/bootstrap'), 'POST', {
        credential: await login(admin.email),
        body: { token: bootstrapToken },
      })
    ).status,
  ).toBe(200);
  const provider = await party('provider');
  const operator = await party('operator');
  const otherOperator = await party('operator');
  const producer = await RawProducer.connect();
  const url = (path: string) => `${provisioner.url}/api/provisioner/v1${path}`;

  const publish = async (
    contract: typeof ServiceCreatedV1,
    serviceId: string,
    operatorId: string,
    status: 'active' | 'retired',
    domain = `svc-${serviceId.slice(0, 8)}.example.org`,
  ) => {
    const event = createEvent(
      contract,
      {
        serviceId,
        operatorId,
        appId: randomUUID(),
        projectId: null,
        type: 'web',
        domain,
        providerBps: null,
        developerBps: null,
        status,
      },
      { source: '/onecommons/catalog' },
    );
    await producer.send(TOPICS.catalogEvents.name, serviceId, JSON.stringify(event), {
      'content-type': 'application/cloudevents+json',
    });
  };

  return {
    identity,
    provisioner,
    ...(provisionerInProcess ? { provisionerApp: provisionerInProcess.app } : {}),
    ...(provisionerProcess ? { provisionerProcess } : {}),
    hetzner,
    digitalocean,
    edge,
    credentialsKey,
    adminToken: await login(admin.email),
    provider,
    operator,
    otherOperator,
    url,
    async newService(operatorId, options = {}) {
      const serviceId = randomUUID();
      await publish(ServiceCreatedV1, serviceId, operatorId, 'active', options.domain);
      await eventually('the provisioner knows the service', async () => {
        const rows = await provisioner.query('SELECT 1 FROM known_services WHERE service_id = $1', [
          serviceId,
        ]);
        return rows.length > 0 ? true : undefined;
      });
      return serviceId;
    },
    async retireService(serviceId, operatorId) {
      await publish(ServiceUpdatedV1, serviceId, operatorId, 'retired');
    },
    async registerAccount(api, overrides = {}) {
      const hetznerAccount = {
        name: `hetzner ${randomUUID()}`,
        api: 'hetzner',
        baseUrl: `${hetzner.url}/v1`,
        token: CLOUD_TOKEN,
        image: 'debian-12',
        regions: ['fsn1', 'hel1'],
        sizes: [
          { name: 'cx22', vcpus: 2, memoryMb: 4096, diskGb: 40, monthlyPriceMinor: 459 },
          { name: 'cx32', vcpus: 4, memoryMb: 8192, diskGb: 80, monthlyPriceMinor: 799 },
        ],
        currency: 'EUR',
        maxServers: 10,
      };
      const doAccount = {
        name: `do ${randomUUID()}`,
        api: 'digitalocean',
        baseUrl: digitalocean.url,
        token: CLOUD_TOKEN,
        image: 'debian-12-x64',
        regions: ['ams3', 'fra1'],
        sizes: [
          { name: 's-1vcpu-2gb', vcpus: 1, memoryMb: 2048, diskGb: 50, monthlyPriceMinor: 1200 },
          { name: 's-2vcpu-4gb', vcpus: 2, memoryMb: 4096, diskGb: 80, monthlyPriceMinor: 2400 },
        ],
        currency: 'USD',
        maxServers: 10,
      };
      const registered = await json<{ id: string }>(
        url(`/organizations/${provider.organizationId}/provider-accounts`),
        'POST',
        {
          credential: provider.token,
          body: { ...(api === 'hetzner' ? hetznerAccount : doAccount), ...overrides },
        },
      );
      expect(registered.status).toBe(201);
      return registered.body.id;
    },
    async stop() {
      await producer.stop();
      await (provisionerProcess ?? provisionerInProcess)?.stop();
      await identity.stop();
      await edge.close();
      await hetzner.close();
      await digitalocean.close();
    },
  };
}

export interface DeploymentBody {
  id: string;
  serviceId: string;
  domain: string;
  app: { image: string; version: string; port: number; healthPath: string } | null;
  volumes: { name: string; sizeGb: number; mountPath: string }[];
  phase: string;
  desired: string;
  serverName: string;
  serverId: string | null;
  provider: { id: string; accountId: string; api: string; region: string; size: string };
  conditions: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[];
}

export const condition = (deployment: DeploymentBody, type: 'Ready' | 'Synced') =>
  deployment.conditions.find((c) => c.type === type);

/**
 * Ready with a version, and as desired: it answers and says that version answers (right after a change, Ready
 * still speaks of the version that served before, which still answers, and Synced is False).
 */
export const answeringWith = (version: string) => (deployment: DeploymentBody) =>
  condition(deployment, 'Ready')?.status === 'True' &&
  condition(deployment, 'Synced')?.status === 'True' &&
  (condition(deployment, 'Ready')?.message ?? '').includes(`:${version} answers`);

/** Polls the deployment through the API until `done` holds. */
export function deploymentWhen(
  stack: ProvisionerStack,
  id: string,
  what: string,
  done: (deployment: DeploymentBody) => boolean,
  timeoutMs = 20_000,
): Promise<DeploymentBody> {
  return eventually(
    what,
    async () => {
      const answer = await json<DeploymentBody>(stack.url(`/deployments/${id}`), 'GET', {
        credential: stack.operator.token,
      });
      return answer.status === 200 && done(answer.body) ? answer.body : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
}

/** A GET to a fake provider's own API, as the provider's customer would read it. */
export async function providerGet<Body>(baseUrl: string, path: string): Promise<Body> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${CLOUD_TOKEN}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

/** The app the tests deploy unless they say otherwise. */
export const WIKI_APP = {
  image: 'ghcr.io/onecommons-test/wiki',
  version: '1.0.0',
  port: 8080,
  healthPath: '/healthz',
};

export async function deploy(
  stack: ProvisionerStack,
  body: { serviceId: string; providerAccountId: string; region: string; size: string } & Record<
    string,
    unknown
  >,
  party: Party = stack.operator,
) {
  return json<DeploymentBody & { error?: { code: string; field?: string } }>(
    stack.url(`/organizations/${party.organizationId}/deployments`),
    'POST',
    {
      credential: party.token,
      body: { app: WIKI_APP, ...body },
    },
  );
}

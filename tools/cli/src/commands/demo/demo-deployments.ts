import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from '../../cli-error.js';
import { type DemoRun } from './demo-cast.js';
import { type PlatformApi, PlatformApiError } from './platform-api.js';

const PROVISIONER = '/api/provisioner/v1';

/** How to reach the local stand-ins for Hetzner Cloud and DigitalOcean (`./dev` writes it). */
export interface FakeClouds {
  readonly hetznerBaseUrl: string;
  readonly digitaloceanBaseUrl: string;
  readonly token: string;
}

interface Organization {
  readonly id: string;
  readonly owner: { readonly accessToken: string };
}

/** One account per provider, alternating the two APIs; sizes and regions the fakes know. */
const ACCOUNT_TEMPLATES = {
  hetzner: {
    image: 'debian-12',
    region: 'fsn1',
    regions: ['fsn1', 'nbg1', 'hel1'],
    size: { name: 'cx22', vcpus: 2, memoryMb: 4096, diskGb: 40, monthlyPriceMinor: 459 },
  },
  digitalocean: {
    image: 'debian-12-x64',
    region: 'fra1',
    regions: ['fra1', 'ams3', 'lon1'],
    size: { name: 's-1vcpu-2gb', vcpus: 1, memoryMb: 2048, diskGb: 50, monthlyPriceMinor: 1200 },
  },
} as const;

interface Deployment {
  readonly id: string;
  readonly serviceId: string;
  readonly desired: string;
  readonly conditions: readonly { readonly type: string; readonly status: string }[];
}

export interface SeededDeployment {
  readonly id: string;
  readonly serviceId: string;
  readonly domain: string;
  /** What it runs, answering on `domain`. */
  readonly app: DemoRun['app'];
  readonly providerId: string;
  readonly providerAccountId: string;
}

/**
 * Registers each demo provider's account at a local fake cloud and deploys every demo service's app on one of
 * them, round robin, waiting until each answers on its domain (Ready). Reuses accounts (by name) and live
 * deployments.
 */
export async function seedDeployments(
  api: PlatformApi,
  clouds: FakeClouds,
  providers: readonly Organization[],
  services: readonly {
    readonly id: string;
    readonly domain: string;
    readonly operator: Organization;
    readonly runs: DemoRun;
  }[],
  log: (line: string) => void,
): Promise<SeededDeployment[]> {
  const accounts = [];
  for (const [index, provider] of providers.entries()) {
    const kind = index % 2 === 0 ? 'hetzner' : 'digitalocean';
    accounts.push({ provider, kind, id: await ensureAccount(api, clouds, provider, kind) });
  }
  const deployments: SeededDeployment[] = [];
  for (const [index, service] of services.entries()) {
    const account = accounts[index % accounts.length];
    if (!account) throw new CliError('the demo has no provider to deploy on');
    const template = ACCOUNT_TEMPLATES[account.kind as keyof typeof ACCOUNT_TEMPLATES];
    const id = await ensureDeployment(api, service, account.id, template.region, template.size.name);
    deployments.push({
      id,
      serviceId: service.id,
      domain: service.domain,
      app: service.runs.app,
      providerId: account.provider.id,
      providerAccountId: account.id,
    });
  }
  for (const deployment of deployments) {
    const operator = services.find((service) => service.id === deployment.serviceId)?.operator;
    await waitUntilReady(api, deployment.id, operator?.owner.accessToken ?? '');
  }
  log(`${deployments.length} services deployed on ${accounts.length} provider accounts (local fake clouds)`);
  return deployments;
}

async function ensureAccount(api: PlatformApi, clouds: FakeClouds, provider: Organization, kind: string) {
  const name = `Demo ${kind} account`;
  const token = provider.owner.accessToken;
  const listed = await api.expect<{ items: { id: string; name: string }[] }>(
    'GET',
    `${PROVISIONER}/organizations/${provider.id}/provider-accounts`,
    { credential: token },
  );
  const existing = listed.body.items.find((account) => account.name === name);
  if (existing) return existing.id;
  const template = ACCOUNT_TEMPLATES[kind as keyof typeof ACCOUNT_TEMPLATES];
  const created = await api.expect<{ id: string }>(
    'POST',
    `${PROVISIONER}/organizations/${provider.id}/provider-accounts`,
    {
      credential: token,
      body: {
        name,
        api: kind,
        baseUrl: kind === 'hetzner' ? clouds.hetznerBaseUrl : clouds.digitaloceanBaseUrl,
        token: clouds.token,
        image: template.image,
        regions: template.regions,
        sizes: [template.size],
        currency: 'EUR',
        maxServers: 50,
      },
    },
  );
  return created.body.id;
}

/** The provisioner learns services from catalog's events a moment after they exist: retry until it has. */
async function ensureDeployment(
  api: PlatformApi,
  service: { readonly id: string; readonly operator: Organization; readonly runs: DemoRun },
  providerAccountId: string,
  region: string,
  size: string,
): Promise<string> {
  const token = service.operator.owner.accessToken;
  const path = `${PROVISIONER}/organizations/${service.operator.id}/deployments`;
  const listed = await api.expect<{ items: Deployment[] }>('GET', `${path}?limit=200`, { credential: token });
  const live = listed.body.items.find((item) => item.serviceId === service.id && item.desired !== 'absent');
  if (live) return live.id;
  for (let attempt = 0; ; attempt += 1) {
    const answer = await api.request<{ id: string; error?: { code: string } }>('POST', path, {
      credential: token,
      body: { serviceId: service.id, providerAccountId, region, size, ...service.runs },
    });
    if (answer.status === 201) return answer.body.id;
    if (answer.status !== 404 || answer.body.error?.code !== 'service_not_found' || attempt >= 60)
      throw new PlatformApiError('POST', path, answer.status, answer.body);
    await sleep(500);
  }
}

async function waitUntilReady(api: PlatformApi, deploymentId: string, token: string): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = await api.expect<Deployment>('GET', `${PROVISIONER}/deployments/${deploymentId}`, {
      credential: token,
    });
    if (answer.body.conditions.some((condition) => condition.type === 'Ready' && condition.status === 'True'))
      return;
    if (Date.now() > deadline) throw new CliError(`deployment ${deploymentId} was not Ready within 90 s`);
    await sleep(500);
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { periodOf } from '@onecommons/contracts';
import { decodeJwt } from 'jose';
import { CliError } from '../../cli-error.js';
import {
  AGREEMENTS,
  DEMO_PASSWORD,
  demoEmail,
  DEVELOPER_ORGS,
  FREE_USER_COUNT,
  METERS,
  OPERATORS,
  PROJECTS,
  PROVIDERS,
  SERVICE_TYPES,
  DEMO_RUNS,
  type DemoRun,
  SERVICES,
  SUBSCRIBER_COUNT,
  SUBSCRIPTION,
} from './demo-cast.js';
import { type FakeClouds, type SeededDeployment, seedDeployments } from './demo-deployments.js';
import { type SeededPayee, seedPayoutAccounts, type StripeAccess } from './demo-payouts.js';
import { PlatformApi, PlatformApiError } from './platform-api.js';

/** What the demo service on a domain runs: its project's app. */
function runOf(domain: string): DemoRun {
  const project = SERVICES.find((service) => service.domain === domain)?.project ?? '';
  const run = DEMO_RUNS[project];
  if (!run) throw new CliError(`the demo has nothing to run for ${domain}`);
  return run;
}

const IDENTITY = '/api/identity/v1';
const CATALOG = '/api/catalog/v1';

export interface SeedOptions {
  readonly gateway: string;
  readonly bootstrapToken: string;
  readonly admin: { readonly email: string; readonly password: string };
  /** What an earlier run wrote: its API keys are reused while they still work (keys are shown once). */
  readonly previous?: DemoSeedFile;
  /** Where the local fake clouds are: the demo's services are deployed there. */
  readonly fakeClouds?: FakeClouds;
  /** The platform's Stripe (the local fake): payees' connected accounts are opened there. */
  readonly stripe?: StripeAccess;
  readonly log: (line: string) => void;
}

export interface SeededAccount {
  readonly id: string;
  readonly email: string;
  readonly accessToken: string;
}

export interface SeededOrganization {
  readonly id: string;
  readonly name: string;
  readonly owner: SeededAccount;
}

export interface DemoSeedFile {
  readonly gateway: string;
  readonly period: string;
  readonly password: string;
  readonly admin: { readonly id: string; readonly email: string; readonly token: string };
  readonly subscribers: readonly SeededAccount[];
  readonly freeUsers: readonly SeededAccount[];
  readonly services: readonly {
    readonly id: string;
    readonly domain: string;
    readonly operatorId: string;
    readonly projectId: string;
    readonly apiKey: string;
  }[];
  readonly deployments: readonly SeededDeployment[];
  readonly operators: readonly SeededOrganization[];
  readonly providers: readonly SeededOrganization[];
  readonly developers: readonly SeededOrganization[];
  readonly projects: readonly {
    readonly id: string;
    readonly key: string;
    readonly name: string;
    readonly organizationId: string;
  }[];
  readonly payees: readonly SeededPayee[];
}

interface Listing<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | null;
}

/**
 * Seeds the demo through the gateway's public APIs, reusing whatever exists: accounts by email,
 * organizations, projects and apps by name, services by domain.
 */
export class DemoSeeder {
  private readonly api: PlatformApi;
  private readonly period = periodOf(new Date());

  constructor(private readonly options: SeedOptions) {
    this.api = new PlatformApi(options.gateway);
  }

  async run(): Promise<DemoSeedFile> {
    const log = this.options.log;
    log(`seeding the demo through ${this.options.gateway} for period ${this.period}`);
    const admin = await this.ensureAdmin();
    await this.ensurePricing(admin.accessToken);
    log('service types and meters defined');

    const providers = await this.ensureOrganizations(PROVIDERS, 'provider');
    const operators = await this.ensureOrganizations(OPERATORS, 'operator');
    const developers = await this.ensureOrganizations(DEVELOPER_ORGS, 'developer');
    log(
      `${providers.length} providers, ${operators.length} operators, ${developers.length} developer organizations`,
    );

    const members = new Map<string, SeededAccount>();
    for (const handle of new Set(
      PROJECTS.flatMap((project) => project.members.map((member) => member.handle)),
    ))
      members.set(handle, await this.ensureAccount(handle));
    const projects = await this.ensureProjects(developers, members);
    log(`${projects.size} projects with contracts and dependencies`);

    const services = await this.ensureServices(operators, projects);
    await this.ensureAgreements(operators, developers, projects);
    log(`${services.length} services with metering API keys`);

    const deployments = this.options.fakeClouds
      ? await seedDeployments(
          this.api,
          this.options.fakeClouds,
          providers,
          services.map((service) => ({
            id: service.id,
            domain: service.domain,
            operator: operators.find((operator) => operator.id === service.operatorId) as SeededOrganization,
            runs: runOf(service.domain),
          })),
          log,
        )
      : [];
    if (!this.options.fakeClouds) log('no --fake-clouds: services are not deployed on a provider');

    const payees = this.options.stripe
      ? await seedPayoutAccounts(this.api, this.options.stripe, admin, { providers, operators }, members)
      : [];
    log(
      this.options.stripe
        ? `${payees.filter((payee) => payee.payoutAccount).length} of ${payees.length} payees have payout accounts`
        : 'no --payouts-env: payees get no payout accounts (their balances are held)',
    );

    const subscribers = await this.ensureSubscribers();
    log(`${subscribers.length} subscribers paid for ${this.period}`);
    const freeUsers: SeededAccount[] = [];
    for (let index = 1; index <= FREE_USER_COUNT; index += 1)
      freeUsers.push(await this.ensureAccount(`free-${index}`));

    return {
      gateway: this.options.gateway,
      period: this.period,
      password: DEMO_PASSWORD,
      admin: { id: admin.id, email: admin.email, token: admin.accessToken },
      subscribers,
      freeUsers,
      services,
      deployments,
      operators,
      providers,
      developers,
      projects: [...projects.entries()].map(([key, project]) => ({ key, ...project })),
      payees,
    };
  }

  private async ensureAccount(
    handle: string,
    password = DEMO_PASSWORD,
    email = demoEmail(handle),
  ): Promise<SeededAccount> {
    await this.api.expect('POST', `${IDENTITY}/accounts`, {
      body: { email, password },
      statuses: [201, 409],
    });
    const accessToken = await this.login(email, password);
    const me = await this.api.expect<{ id: string }>('GET', `${IDENTITY}/accounts/me`, {
      credential: accessToken,
    });
    return { id: me.body.id, email, accessToken };
  }

  private async login(email: string, password = DEMO_PASSWORD): Promise<string> {
    const session = await this.api.request<{ accessToken: string }>('POST', `${IDENTITY}/sessions`, {
      body: { email, password },
    });
    if (session.status === 401)
      throw new CliError(`cannot log in as ${email}: the account exists with another password`);
    if (session.status !== 201)
      throw new PlatformApiError('POST', `${IDENTITY}/sessions`, session.status, session.body);
    return session.body.accessToken;
  }

  private async ensureAdmin(): Promise<SeededAccount> {
    const { email, password } = this.options.admin;
    const account = await this.ensureAccount('admin', password, email);
    const bootstrap = await this.api.request<{ error?: { code: string } }>(
      'POST',
      `${IDENTITY}/admins/bootstrap`,
      {
        credential: account.accessToken,
        body: { token: this.options.bootstrapToken },
      },
    );
    if (bootstrap.status === 409)
      throw new CliError(
        `the platform already has another admin: pass its credentials with --admin-email/--admin-password`,
      );
    if (bootstrap.status !== 200)
      throw new PlatformApiError('POST', `${IDENTITY}/admins/bootstrap`, bootstrap.status, bootstrap.body);
    // Only a token from before the first bootstrap lacks the role (logins are rate limited: no extra one).
    const hasRole = (decodeJwt(account.accessToken)['roles'] as string[] | undefined)?.includes('admin');
    return hasRole ? account : { ...account, accessToken: await this.login(email, password) };
  }

  private async ensurePricing(adminToken: string): Promise<void> {
    const types = await this.api.expect<Listing<{ name: string; providerBps: number; developerBps: number }>>(
      'GET',
      `${CATALOG}/service-types`,
      { credential: adminToken },
    );
    for (const type of SERVICE_TYPES) {
      const current = types.body.items.find((item) => item.name === type.name);
      if (current?.providerBps === type.providerBps && current.developerBps === type.developerBps) continue;
      await this.api.expect('PUT', `${CATALOG}/service-types/${type.name}`, {
        credential: adminToken,
        body: { providerBps: type.providerBps, developerBps: type.developerBps },
      });
    }
    const meters = await this.api.expect<
      Listing<{ name: string; weight: string; unit: string; bound: { per: string; max: string } }>
    >('GET', `${CATALOG}/meters`, {
      credential: adminToken,
    });
    for (const meter of METERS) {
      const current = meters.body.items.find((item) => item.name === meter.name);
      if (
        current?.weight === meter.weight &&
        current.unit === meter.unit &&
        current.bound.per === meter.bound.per &&
        current.bound.max === meter.bound.max
      )
        continue;
      await this.api.expect('PUT', `${CATALOG}/meters/${meter.name}`, {
        credential: adminToken,
        body: { weight: meter.weight, description: meter.description, unit: meter.unit, bound: meter.bound },
      });
    }
  }

  private async ensureOrganizations(
    cast: readonly { name: string; owner: string }[],
    kind: string,
  ): Promise<SeededOrganization[]> {
    const organizations: SeededOrganization[] = [];
    for (const { name, owner: handle } of cast) {
      const owner = await this.ensureAccount(handle);
      const mine = await this.api.expect<Listing<{ id: string; name: string; kind: string }>>(
        'GET',
        `${IDENTITY}/organizations?limit=200`,
        { credential: owner.accessToken },
      );
      let id = mine.body.items.find((item) => item.name === name && item.kind === kind)?.id;
      if (!id) {
        const created = await this.api.expect<{ id: string }>('POST', `${IDENTITY}/organizations`, {
          credential: owner.accessToken,
          body: { name, kind },
        });
        id = created.body.id;
      }
      // Memberships travel in the token: only a token from before the organization existed needs replacing.
      const claims = (decodeJwt(owner.accessToken)['orgs'] as { id: string }[] | undefined) ?? [];
      const accessToken = claims.some((claim) => claim.id === id)
        ? owner.accessToken
        : await this.login(owner.email);
      organizations.push({ id, name, owner: { ...owner, accessToken } });
    }
    return organizations;
  }

  private async ensureProjects(
    developers: readonly SeededOrganization[],
    members: ReadonlyMap<string, SeededAccount>,
  ): Promise<Map<string, { id: string; name: string; organizationId: string }>> {
    const projects = new Map<string, { id: string; name: string; organizationId: string }>();
    for (const project of PROJECTS) {
      const organization = developers[project.org] as SeededOrganization;
      const token = organization.owner.accessToken;
      const found = await this.api.expect<Listing<{ id: string; name: string }>>(
        'GET',
        `${CATALOG}/projects?organizationId=${organization.id}&q=${encodeURIComponent(project.name)}`,
        { credential: token },
      );
      let id = found.body.items.find((item) => item.name === project.name)?.id;
      if (!id) {
        const created = await this.api.expect<{ id: string }>(
          'POST',
          `${CATALOG}/organizations/${organization.id}/projects`,
          { credential: token, body: { name: project.name, packageNames: project.packageNames } },
        );
        id = created.body.id;
      }
      projects.set(project.key, { id, name: project.name, organizationId: organization.id });
      if (project.app) await this.ensureApp(organization, project.app);
      await this.ensureContract(
        organization,
        id,
        project.dependenciesBps,
        project.members.map((member) => ({
          account: (members.get(member.handle) as SeededAccount).id,
          weight: member.weight,
        })),
      );
    }
    // Dependencies last: a manifest names packages of projects created above.
    for (const project of PROJECTS) {
      if (!project.manifest) continue;
      const organization = developers[project.org] as SeededOrganization;
      const { id } = projects.get(project.key) as { id: string };
      const path = `${CATALOG}/organizations/${organization.id}/projects/${id}/dependencies/import`;
      const wanted = await this.api.expect<{ dependencies: { project: string; weight: string }[] }>(
        'POST',
        path,
        {
          credential: organization.owner.accessToken,
          body: { manifest: project.manifest, apply: false },
        },
      );
      const current = await this.api.expect<Listing<{ project: string; weight: string }>>(
        'GET',
        `${CATALOG}/projects/${id}/dependencies`,
        { credential: organization.owner.accessToken },
      );
      const same = (list: readonly { project: string; weight: string }[]) =>
        JSON.stringify([...list].map(({ project: p, weight }) => [p, weight]).sort());
      if (same(wanted.body.dependencies) !== same(current.body.items))
        await this.api.expect('POST', path, {
          credential: organization.owner.accessToken,
          body: { manifest: project.manifest, apply: true },
        });
    }
    return projects;
  }

  private async ensureApp(
    organization: SeededOrganization,
    app: { name: string; repositoryUrl: string; license: string },
  ): Promise<string> {
    const found = await this.api.expect<Listing<{ id: string; name: string }>>(
      'GET',
      `${CATALOG}/apps?q=${encodeURIComponent(app.name)}`,
      { credential: organization.owner.accessToken },
    );
    const existing = found.body.items.find((item) => item.name === app.name)?.id;
    if (existing) return existing;
    const created = await this.api.expect<{ id: string }>(
      'POST',
      `${CATALOG}/organizations/${organization.id}/apps`,
      {
        credential: organization.owner.accessToken,
        body: app,
      },
    );
    return created.body.id;
  }

  /** Catalog learns new accounts from identity's events a moment after they register: retry until it has. */
  private async ensureContract(
    organization: SeededOrganization,
    projectId: string,
    dependenciesBps: number,
    members: readonly { account: string; weight: number }[],
  ): Promise<void> {
    const history = await this.api.expect<Listing<unknown>>(
      'GET',
      `${CATALOG}/projects/${projectId}/contract-versions`,
      {
        credential: organization.owner.accessToken,
      },
    );
    if (history.body.items.length > 0) return;
    const path = `${CATALOG}/organizations/${organization.id}/projects/${projectId}/contract-versions`;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.api.request<{ error?: { code: string } }>('POST', path, {
        credential: organization.owner.accessToken,
        body: { dependenciesBps, members },
      });
      if (answer.status === 201) return;
      if (answer.status !== 400 || answer.body.error?.code !== 'unknown_account' || attempt >= 60)
        throw new PlatformApiError('POST', path, answer.status, answer.body);
      await sleep(500);
    }
  }

  private async ensureServices(
    operators: readonly SeededOrganization[],
    projects: ReadonlyMap<string, { id: string }>,
  ): Promise<DemoSeedFile['services'][number][]> {
    const seeded: DemoSeedFile['services'][number][] = [];
    const apps = await this.api.expect<Listing<{ id: string; name: string }>>(
      'GET',
      `${CATALOG}/apps?limit=200`,
      {
        credential: (operators[0] as SeededOrganization).owner.accessToken,
      },
    );
    for (const service of SERVICES) {
      const operator = operators[service.operator] as SeededOrganization;
      const token = operator.owner.accessToken;
      const project = PROJECTS.find((candidate) => candidate.key === service.project);
      const projectId = (projects.get(service.project) as { id: string }).id;
      const found = await this.api.expect<Listing<{ id: string; domain: string }>>(
        'GET',
        `${CATALOG}/services?operatorId=${operator.id}&q=${encodeURIComponent(service.domain)}`,
        { credential: token },
      );
      let id = found.body.items.find((item) => item.domain === service.domain)?.id;
      if (!id) {
        const appId = apps.body.items.find((app) => app.name === project?.app?.name)?.id;
        if (!appId) throw new CliError(`the demo app of ${service.project} is missing`);
        const created = await this.api.expect<{ id: string }>(
          'POST',
          `${CATALOG}/organizations/${operator.id}/services`,
          {
            credential: token,
            body: {
              appId,
              projectId,
              type: service.type,
              domain: service.domain,
              ...(service.developerBps === undefined ? {} : { developerBps: service.developerBps }),
            },
          },
        );
        id = created.body.id;
      }
      seeded.push({
        id,
        domain: service.domain,
        operatorId: operator.id,
        projectId,
        apiKey: await this.ensureApiKey(operator, id, service.domain),
      });
    }
    return seeded;
  }

  private async ensureApiKey(
    operator: SeededOrganization,
    serviceId: string,
    domain: string,
  ): Promise<string> {
    const earlier = this.options.previous?.services.find((service) => service.id === serviceId)?.apiKey;
    if (earlier) {
      const self = await this.api.request<{ serviceId?: string }>('GET', `${IDENTITY}/api-keys/self`, {
        credential: earlier,
      });
      if (self.status === 200 && self.body.serviceId === serviceId) return earlier;
    }
    // Identity learns a service from catalog's events a moment after it is created: it answers 409
    // service_not_known_yet (with Retry-After) until then.
    const path = `${IDENTITY}/organizations/${operator.id}/api-keys`;
    for (let attempt = 0; ; attempt += 1) {
      const answer = await this.api.request<{ key: string; error?: { code: string } }>('POST', path, {
        credential: operator.owner.accessToken,
        body: { name: `metering for ${domain}`, scopes: ['metering:write'], serviceId },
      });
      if (answer.status === 201) return answer.body.key;
      if (answer.status !== 409 || answer.body.error?.code !== 'service_not_known_yet' || attempt >= 60)
        throw new PlatformApiError('POST', path, answer.status, answer.body);
      await sleep(500);
    }
  }

  private async ensureAgreements(
    operators: readonly SeededOrganization[],
    developers: readonly SeededOrganization[],
    projects: ReadonlyMap<string, { id: string; organizationId: string }>,
  ): Promise<void> {
    for (const agreement of AGREEMENTS) {
      const operator = operators[agreement.operator] as SeededOrganization;
      const project = projects.get(agreement.project) as { id: string; organizationId: string };
      const owner = developers.find(
        (organization) => organization.id === project.organizationId,
      ) as SeededOrganization;
      const offered = await this.api.expect<{ id: string; binding: boolean }>(
        'POST',
        `${CATALOG}/organizations/${operator.id}/agreements`,
        {
          credential: operator.owner.accessToken,
          body: { projectId: project.id, developerBps: agreement.developerBps },
        },
      );
      if (offered.body.binding !== agreement.binding)
        await this.api.expect(
          'PATCH',
          `${CATALOG}/organizations/${owner.id}/projects/${project.id}/agreements/${offered.body.id}`,
          { credential: owner.owner.accessToken, body: { binding: agreement.binding } },
        );
    }
  }

  /** Subscribes each demo subscriber (the local fake Stripe charges the test card) and waits for the capture. */
  private async ensureSubscribers(): Promise<SeededAccount[]> {
    const subscribers: SeededAccount[] = [];
    for (let index = 1; index <= SUBSCRIBER_COUNT; index += 1)
      subscribers.push(await this.ensureAccount(`subscriber-${String(index).padStart(2, '0')}`));
    await Promise.all(
      subscribers.map(async (subscriber) => {
        const current = await this.api.request<{ paidPeriod: string | null; status: string }>(
          'GET',
          `${IDENTITY}/subscriptions/current`,
          { credential: subscriber.accessToken },
        );
        if (current.status === 404)
          await this.api.expect('POST', `${IDENTITY}/subscriptions`, {
            credential: subscriber.accessToken,
            body: SUBSCRIPTION,
          });
        else if (current.status !== 200)
          throw new PlatformApiError(
            'GET',
            `${IDENTITY}/subscriptions/current`,
            current.status,
            current.body,
          );
      }),
    );
    for (const subscriber of subscribers) await this.waitUntilPaid(subscriber);
    return subscribers;
  }

  private async waitUntilPaid(subscriber: SeededAccount): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const current = await this.api.expect<{ paidPeriod: string | null; status: string }>(
        'GET',
        `${IDENTITY}/subscriptions/current`,
        { credential: subscriber.accessToken },
      );
      if (current.body.paidPeriod === this.period) return;
      if (Date.now() > deadline)
        throw new CliError(
          `${subscriber.email}'s payment for ${this.period} was not captured within 60 s (status ${current.body.status})`,
        );
      await sleep(250);
    }
  }
}

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { periodOf } from '@onecommons/contracts';
import { getAsHost } from '@onecommons/fake-clouds';
import { testStack } from '@onecommons/testing';
import { runCommons, seedDemo } from './commons-cli.js';
import { call, PASSWORD, platformAdmin } from './gateway-client.js';
import {
  authorizationRequest,
  CookieBrowser,
  discover,
  registerClient,
  signInAndConsent,
  redeem,
} from './oidc-fixtures.js';

// `commons demo seed` against the running platform, through the gateway only.

const stack = testStack();
const workDir = mkdtempSync(path.join(tmpdir(), 'demo-seed-'));
const out = path.join(workDir, 'seed.json');

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

interface SeedFile {
  gateway: string;
  period: string;
  password: string;
  admin: { token: string };
  subscribers: { id: string; email: string; accessToken: string }[];
  freeUsers: { id: string; accessToken: string }[];
  services: { id: string; apiKey: string; operatorId: string }[];
  deployments: {
    id: string;
    serviceId: string;
    providerId: string;
    domain: string;
    app: { image: string; version: string; healthPath: string };
  }[];
  operators: { id: string; owner: { accessToken: string } }[];
  providers: { id: string }[];
  projects: { id: string; key: string }[];
}

/** A visitor of the app's domain, as the fakes' edge resolves it through their DNS. */
function visitApp(domain: string, urlPath: string): Promise<{ status: number; body: unknown }> {
  const clouds = JSON.parse(readFileSync(path.join(stack.envDir, '..', 'fake-clouds.json'), 'utf8')) as {
    edgeUrl: string;
  };
  return getAsHost(clouds.edgeUrl, domain, urlPath);
}

async function seed(): Promise<SeedFile> {
  const admin = await platformAdmin();
  return seedDemo<SeedFile>(out, { email: admin.email, password: PASSWORD });
}

describe('commons demo seed', () => {
  it('creates the demo cast through the gateway, and a second run reuses it', async () => {
    const first = await seed();
    expect(first).toMatchObject({ gateway: stack.gatewayUrl, period: periodOf(new Date()) });
    expect(first.subscribers).toHaveLength(20);
    expect(first.freeUsers).toHaveLength(5);
    expect(first.services).toHaveLength(8);
    expect(first.operators).toHaveLength(4);
    expect(first.providers).toHaveLength(3);
    expect(first.projects).toHaveLength(6);
    // Every service runs on one of the providers' (fake) clouds.
    expect(first.deployments.map((deployment) => deployment.serviceId).sort()).toEqual(
      first.services.map((service) => service.id).sort(),
    );
    expect(new Set(first.deployments.map((deployment) => deployment.providerId))).toEqual(
      new Set(first.providers.map((provider) => provider.id)),
    );
    // Each runs its project's app, which answers on the service's domain (at the fakes' edge, through their DNS).
    for (const { domain, app } of first.deployments) {
      expect({ domain, ...(await visitApp(domain, app.healthPath)) }).toEqual({
        domain,
        status: 200,
        body: expect.objectContaining({ image: app.image, version: app.version }),
      });
    }
    const deployment = await call<{
      app: { image: string };
      volumes: unknown[];
      conditions: { type: string; reason: string }[];
    }>('GET', `/api/provisioner/v1/deployments/${first.deployments[0]?.id}`, {
      credential: first.admin.token,
    });
    expect(deployment.body.conditions).toContainEqual(
      expect.objectContaining({ type: 'Ready', reason: 'AppAnswering' }),
    );

    // Every subscriber has paid for this period; free users have no subscription.
    for (const subscriber of first.subscribers) {
      const current = await call('GET', '/api/identity/v1/subscriptions/current', {
        credential: subscriber.accessToken,
      });
      expect(current).toMatchObject({ status: 200, body: { paidPeriod: first.period, status: 'active' } });
    }
    const free = await call('GET', '/api/identity/v1/subscriptions/current', {
      credential: first.freeUsers[0]?.accessToken,
    });
    expect(free.status).toBe(404);
    // Every service key works and is bound to its service.
    for (const service of first.services) {
      const self = await call('GET', '/api/identity/v1/api-keys/self', { credential: service.apiKey });
      expect(self).toMatchObject({
        status: 200,
        body: { serviceId: service.id, scopes: ['metering:write'] },
      });
    }
    // One project has no members yet: its share will be escrowed.
    const authKit = first.projects.find((project) => project.key === 'auth-kit');
    const contract = await call('GET', `/api/catalog/v1/projects/${authKit?.id}/contract`, {
      credential: first.admin.token,
    });
    expect(contract).toMatchObject({ status: 200, body: { members: [] } });

    const second = await seed();
    const ids = (file: SeedFile) => ({
      subscribers: file.subscribers.map((subscriber) => subscriber.id),
      services: file.services.map((service) => [service.id, service.apiKey]),
      operators: file.operators.map((operator) => operator.id),
      projects: file.projects.map((project) => project.id),
      deployments: file.deployments.map((deployment) => deployment.id),
    });
    expect(ids(second)).toEqual(ids(first));

    // A paying subscriber signs in to an operator's app with OneCommons: the app learns they are premium.
    const service = first.services[0];
    const operator = first.operators.find((candidate) => candidate.id === service?.operatorId);
    const subscriber = first.subscribers[0];
    const redirectUri = 'https://demo-app.example.org/callback';
    const registered = await registerClient(service?.operatorId ?? '', operator?.owner.accessToken ?? '', {
      serviceId: service?.id,
      name: 'demo app',
      redirectUris: [redirectUri],
    });
    expect(registered.status).toBe(201);
    const config = await discover(registered.body);
    const request = await authorizationRequest(config, redirectUri);
    const callback = await signInAndConsent(new CookieBrowser(), request, {
      email: subscriber?.email ?? '',
      password: first.password,
    });
    const tokens = await redeem(config, callback, request);
    expect(tokens.claims()).toMatchObject({
      sub: subscriber?.id,
      plan: { tier: 'premium', status: 'active', cancel_at_period_end: false },
    });
  });

  it('refuses a bad gateway URL with exit 2 and the option', async () => {
    const result = await runCommons(['demo', 'seed', '--out', out, '--gateway', 'not a url']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid input: --gateway');
  });
});

import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { jsonRequest, type RunningService, startService } from '@onecommons/testing';
// Webhooks' tests boot identity (by its definition, nothing internal) for real tokens and API keys:
import { identityService } from '@onecommons/identity/definition';
import { type WebhooksConfig } from '../src/config.js';
import { webhooksService } from '../src/webhooks.definition.js';

const PASSWORD = 'correct horse battery staple';

export const json = jsonRequest;

export interface WebhooksStack {
  readonly identity: RunningService;
  readonly webhooks: RunningService<WebhooksConfig>;
  readonly adminToken: string;
  /** An access token of a fresh account without any role. */
  accountToken(): Promise<string>;
  /** An organization of the given kind and a `webhooks:manage` key of it. */
  organizationWithKey(kind?: 'partner' | 'operator' | 'developer' | 'provider'): Promise<{
    organizationId: string;
    key: string;
  }>;
  /** A call to the webhooks API (`/api/webhooks` + path). */
  call<Body = Record<string, unknown>>(
    method: string,
    path: string,
    credential: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body }>;
  stop(): Promise<void>;
}

/** Identity and webhooks as the platform runs them, in this process. */
export async function startWebhooksStack(webhooksEnv: Record<string, string> = {}): Promise<WebhooksStack> {
  const bootstrapToken = `bootstrap-${randomUUID()}-${randomUUID()}`;
  const identity = await startService(identityService, {
    env: {
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrapToken,
      REGISTRATION_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
      LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
    },
  });
  const webhooks = await startService(webhooksService, {
    env: {
      AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
      AUTH_API_KEY_INTROSPECTION_URL: `${identity.url}/api/identity/v1/internal/api-keys/introspect`,
      WEBHOOKS_SECRET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      ...webhooksEnv,
    },
  });
  const id = (path: string) => `${identity.url}/api/identity/v1${path}`;
  // Roles and memberships are read when a token is issued: after a change, a fresh login.
  const login = async (email: string) =>
    (await json<{ accessToken: string }>(id('/sessions'), 'POST', { body: { email, password: PASSWORD } }))
      .body.accessToken;
  const account = async (label: string) => {
    const email = `${label}-${randomUUID()}@example.org`;
    expect((await json(id('/accounts'), 'POST', { body: { email, password: PASSWORD } })).status).toBe(201);
    return { email, token: await login(email) };
  };
  const admin = await account('admin');
  const bootstrapped = await json(id('/admins/bootstrap'), 'POST', {
    credential: admin.token,
    body: { token: bootstrapToken },
  });
  expect(bootstrapped.status).toBe(200);
  return {
    identity,
    webhooks,
    adminToken: await login(admin.email),
    accountToken: async () => (await account('someone')).token,
    async organizationWithKey(kind = 'partner') {
      const owner = await account(`${kind}-owner`);
      const organization = await json<{ id: string }>(id('/organizations'), 'POST', {
        credential: owner.token,
        body: { name: `${kind} ${randomUUID()}`, kind },
      });
      expect(organization.status).toBe(201);
      const key = await json<{ key: string }>(id(`/organizations/${organization.body.id}/api-keys`), 'POST', {
        credential: await login(owner.email),
        body: { name: 'webhooks', scopes: ['webhooks:manage'] },
      });
      expect(key.status).toBe(201);
      return { organizationId: organization.body.id, key: key.body.key };
    },
    call(method, path, credential, body) {
      return json(`${webhooks.url}/api/webhooks${path}`, method, {
        credential,
        ...(body === undefined ? {} : { body }),
      });
    },
    async stop() {
      await webhooks.stop();
      await identity.stop();
    },
  };
}

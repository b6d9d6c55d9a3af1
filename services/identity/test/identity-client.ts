import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { INTERNAL_TOKEN_HEADER } from '@onecommons/auth';
import { createEvent, ServiceCreatedV1 } from '@onecommons/contracts';
import { eventually, RawProducer, type RunningService } from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';

export const PASSWORD = 'correct horse battery staple';

/** These suites register and log in many accounts from one address; rate limits have their own tests. */
export const GENEROUS_RATE_LIMITS = {
  REGISTRATION_RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: '100000',
  LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: '1000000',
} as const;

export interface Answer<Body = Record<string, unknown>> {
  readonly status: number;
  readonly body: Body;
}

/** A test's view of identity's HTTP API: JSON in and out, bearer credentials optional. */
export class IdentityClient {
  constructor(private readonly identity: RunningService<IdentityConfig>) {}

  async call<Body = Record<string, unknown>>(
    method: string,
    path: string,
    options: { credential?: string; body?: unknown } = {},
  ): Promise<Answer<Body>> {
    const response = await fetch(`${this.identity.url}/api/identity${path}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    // A page (text/html) answers with its markup as `html`.
    const json = response.headers.get('content-type')?.includes('json') ?? false;
    return {
      status: response.status,
      body: (json && text ? JSON.parse(text) : text ? { html: text } : {}) as Body,
    };
  }

  /** Registers a fresh account and logs it in. */
  async newAccount(label: string): Promise<{ id: string; email: string; token: string }> {
    const email = `${label}-${randomUUID()}@example.org`;
    const created = await this.call<{ id: string }>('POST', '/v1/accounts', {
      body: { email, password: PASSWORD },
    });
    expect(created.status).toBe(201);
    return { id: created.body.id, email, token: await this.login(email) };
  }

  /** A new access token: roles and memberships are read at issue. */
  async login(email: string): Promise<string> {
    const session = await this.call<{ accessToken: string }>('POST', '/v1/sessions', {
      body: { email, password: PASSWORD },
    });
    expect(session.status).toBe(201);
    return session.body.accessToken;
  }

  async newOrganization(token: string, kind: string, label = kind): Promise<string> {
    const created = await this.call<{ id: string }>('POST', '/v1/organizations', {
      credential: token,
      body: { name: `${label} ${randomUUID()}`, kind },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }
}

/** An account as the tests hold it: its id and an access token. */
export interface TestAccount {
  readonly id: string;
  readonly token: string;
}

/** An owner invites the account and the account accepts: the only way in. */
export async function joinByInvitation(
  client: IdentityClient,
  ownerToken: string,
  organizationId: string,
  account: TestAccount,
  role: 'owner' | 'member' = 'member',
): Promise<void> {
  const invited = await client.call<{ id: string }>(
    'POST',
    `/v1/organizations/${organizationId}/invitations`,
    {
      credential: ownerToken,
      body: { accountId: account.id, role },
    },
  );
  expect(invited.status).toBe(201);
  const accepted = await client.call('POST', `/v1/invitations/${invited.body.id}/accept`, {
    credential: account.token,
  });
  expect(accepted.status).toBe(200);
}

/** Calls one of identity's `/internal/` endpoints as a platform service would (or with another credential). */
export async function internalCall<Body = Record<string, unknown>>(
  identity: RunningService<IdentityConfig>,
  path: string,
  body: unknown,
  /** null: no credential at all. */
  internalToken: string | null = identity.config.INTERNAL_API_TOKEN,
): Promise<Answer<Body>> {
  const response = await fetch(`${identity.url}/api/identity${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(internalToken === null ? {} : { [INTERNAL_TOKEN_HEADER]: internalToken }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
}

/**
 * A service catalog announces (ServiceCreatedV1 on catalog.events.v1, as catalog's relay publishes it), once
 * identity has applied it.
 */
export async function announceService(
  identity: RunningService<IdentityConfig>,
  operatorId: string,
  status: 'active' | 'suspended' | 'retired' = 'active',
): Promise<string> {
  const serviceId = randomUUID();
  const event = createEvent(
    ServiceCreatedV1,
    {
      serviceId,
      operatorId,
      appId: randomUUID(),
      projectId: null,
      type: 'web',
      domain: `${serviceId}.example.org`,
      providerBps: null,
      developerBps: null,
      status,
    },
    { source: '/onecommons/catalog' },
  );
  const producer = await RawProducer.connect();
  try {
    await producer.send(ServiceCreatedV1.topic, event.subject as string, JSON.stringify(event));
  } finally {
    await producer.stop();
  }
  await eventually('identity applies the service', async () =>
    (await identity.query('SELECT 1 FROM catalog_services WHERE service_id = $1', [serviceId])).length > 0
      ? true
      : undefined,
  );
  return serviceId;
}

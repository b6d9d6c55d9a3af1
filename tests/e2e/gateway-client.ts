import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import { decodeJwt } from 'jose';
import { suiteFetch } from './suite-address.js';

const stack = testStack();
export const PASSWORD = 'correct horse battery staple';

export interface Answer<Body = Record<string, unknown>> {
  readonly status: number;
  readonly body: Body;
}

/** A variable from the environment `./dev` gave a service process. */
export function serviceEnvironmentValue(service: string, name: string): string {
  const file = readFileSync(path.join(stack.envDir, `${service}.env`), 'utf8');
  const line = file.split('\n').find((candidate) => candidate.startsWith(`${name}=`));
  if (!line) throw new Error(`${service}.env has no ${name}`);
  return line.slice(name.length + 1);
}

/**
 * A request through the gateway, from the suite's own loopback address (suite-address.ts). Like a
 * well-behaved client it waits out the gateway's per-address 429 (Retry-After: 1) and tries again.
 */
export async function call<Body = Record<string, unknown>>(
  method: string,
  pathname: string,
  options: { credential?: string; body?: unknown; contentType?: string } = {},
): Promise<Answer<Body>> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await suiteFetch(`${stack.gatewayUrl}${pathname}`, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
        ...(options.credential ? { authorization: `Bearer ${options.credential}` } : {}),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    if (response.status !== 429 || attempt >= 6)
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
    await sleep(Math.min(10, Math.max(1, Number(response.headers.get('retry-after')) || 1)) * 1_000);
  }
}

export interface TestAccount {
  readonly id: string;
  readonly email: string;
  token: string;
}

export async function newAccount(label: string): Promise<TestAccount> {
  const email = `${label}-${randomUUID()}@example.org`;
  const created = await call<{ id: string }>('POST', '/api/identity/v1/accounts', {
    body: { email, password: PASSWORD },
  });
  expect(created.status).toBe(201);
  return { id: created.body.id, email, token: await login(email) };
}

/** A fresh access token: it carries the account's roles and memberships as of now. */
export async function login(email: string): Promise<string> {
  const session = await call<{ accessToken: string }>('POST', '/api/identity/v1/sessions', {
    body: { email, password: PASSWORD },
  });
  expect(session.status).toBe(201);
  return session.body.accessToken;
}

export async function newOrganization(account: TestAccount, kind: string): Promise<string> {
  const created = await call<{ id: string }>('POST', '/api/identity/v1/organizations', {
    credential: account.token,
    body: { name: `${kind} ${randomUUID()}`, kind },
  });
  expect(created.status).toBe(201);
  account.token = await login(account.email);
  return created.body.id;
}

/**
 * The stack's admin, the same account for every suite and worker: its email derives from the stack's
 * bootstrap token, so registering twice just finds it, and bootstrapping again as it is harmless.
 */
let admin: Promise<TestAccount> | undefined;

export function platformAdmin(): Promise<TestAccount> {
  admin ??= findOrMakeAdmin();
  return admin;
}

async function findOrMakeAdmin(): Promise<TestAccount> {
  const bootstrapToken = serviceEnvironmentValue('identity', 'IDENTITY_ADMIN_BOOTSTRAP_TOKEN');
  const email = `admin-${createHash('sha256').update(bootstrapToken).digest('hex').slice(0, 16)}@onecommons.test`;
  const registered = await call('POST', '/api/identity/v1/accounts', { body: { email, password: PASSWORD } });
  expect([201, 409]).toContain(registered.status);
  const token = await login(email);
  const bootstrap = await call<{ accountId: string }>('POST', '/api/identity/v1/admins/bootstrap', {
    credential: token,
    body: { token: bootstrapToken },
  });
  expect(bootstrap.status).toBe(200);
  // A token from before the first bootstrap lacks the role; logins are rate limited, so only then log in again.
  const hasRole = (decodeJwt(token)['roles'] as string[] | undefined)?.includes('admin');
  return { id: bootstrap.body.accountId, email, token: hasRole ? token : await login(email) };
}

/**
 * A service of the operator organization, created through catalog as operators do (with a service type from
 * the admin and an app of a fresh developer organization).
 */
export async function newOperatedService(
  operator: TestAccount,
  operatorOrganization: string,
): Promise<string> {
  const admin = await platformAdmin();
  const type = `e2e-${randomUUID().slice(0, 8)}`;
  const typed = await call('PUT', `/api/catalog/v1/service-types/${type}`, {
    credential: admin.token,
    body: { providerBps: 3000, developerBps: 2000 },
  });
  expect([200, 201]).toContain(typed.status);
  const developer = await newAccount('e2e-developer');
  const developers = await newOrganization(developer, 'developer');
  const app = await call<{ id: string }>('POST', `/api/catalog/v1/organizations/${developers}/apps`, {
    credential: developer.token,
    body: { name: `e2e app ${randomUUID()}`, repositoryUrl: 'https://codeberg.org/e2e/app', license: 'MIT' },
  });
  expect(app.status).toBe(201);
  const service = await call<{ id: string }>(
    'POST',
    `/api/catalog/v1/organizations/${operatorOrganization}/services`,
    {
      credential: operator.token,
      body: { appId: app.body.id, type, domain: `e2e-${randomUUID().slice(0, 8)}.example.org` },
    },
  );
  expect(service.status).toBe(201);
  return service.body.id;
}

/**
 * Asks identity for a key bound to a service, waiting out `service_not_known_yet` (identity learns services
 * from catalog's events a moment after they are created). Answers identity's last answer.
 */
export async function requestServiceKey(
  organizationId: string,
  token: string,
  serviceId: string,
  scopes: readonly string[] = ['metering:write'],
): Promise<Answer<{ id: string; key: string; error?: { code: string; field?: string } }>> {
  for (let attempt = 0; ; attempt += 1) {
    const answer = await call<{ id: string; key: string; error?: { code: string; field?: string } }>(
      'POST',
      `/api/identity/v1/organizations/${organizationId}/api-keys`,
      { credential: token, body: { name: `service ${serviceId}`, scopes, serviceId } },
    );
    if (answer.body.error?.code !== 'service_not_known_yet' || attempt >= 60) return answer;
    await sleep(500);
  }
}

/**
 * An admin's close of a period as a user makes it: asked again while the ledger answers 409 usage_not_consumed
 * (it waits for metering's watermark of the period, or for the usage metering announced), after the answer's
 * `Retry-After`, within `timeoutMs`. Answers the last answer.
 */
export async function closePeriod<Body = Record<string, unknown>>(
  adminToken: string,
  period: string,
  { force = true, timeoutMs = 120_000 }: { force?: boolean; timeoutMs?: number } = {},
): Promise<Answer<Body>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await suiteFetch(`${stack.gatewayUrl}/api/ledger/v1/periods/${period}/close`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ force }),
    });
    const body = (await response.json()) as Body & { error?: { code?: string } };
    const retryAfter = Number(response.headers.get('retry-after')) || 1;
    const waiting = response.status === 409 && body.error?.code === 'usage_not_consumed';
    if (!waiting || Date.now() + retryAfter * 1_000 > deadline) return { status: response.status, body };
    await sleep(retryAfter * 1_000);
  }
}

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startService, type RunningService } from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import {
  type Answer,
  announceService,
  GENEROUS_RATE_LIMITS,
  IdentityClient,
  joinByInvitation,
} from './identity-client.js';

/**
 * Every endpoint of identity × every kind of caller: who the access policy lets through, who it stops,
 * and with which answer. A route added without a row here fails the coverage test below.
 */
const ACTORS = ['anonymous', 'subscriber', 'member', 'owner', 'outsider', 'admin', 'apiKey'] as const;
type Actor = (typeof ACTORS)[number];
const ACCOUNTS: readonly Actor[] = ['subscriber', 'member', 'owner', 'outsider', 'admin'];

/** Error codes that mean "the access policy refused": anything else means the request got through. */
const DENIALS: Readonly<Record<number, readonly string[]>> = {
  401: [
    'unauthenticated',
    'invalid_token',
    'access_token_required',
    'api_key_required',
    'invalid_api_key',
    'internal_credential_required',
    'invalid_internal_credential',
  ],
  403: ['forbidden', 'not_a_member', 'wrong_organization_kind', 'insufficient_scope'],
};

/** Routes that are infrastructure, not API: probes, metrics, the API's documentation, the not-found answer. */
const INFRASTRUCTURE = [
  /^\/health\//,
  /^\/metrics\/?$/,
  /\/openapi(\.json)?$/,
  /\/docs(\/|$)/,
  /\{\/\*splat\}$/, // the JSON 404 for every other path under /api/identity
  // The sign-in pages: no platform credential, each POST bound to its browser by the provider's interaction
  // cookie (tests/e2e/abuse-oidc.e2e-spec.ts).
  /^\/api\/identity\/oidc\/interaction\//,
];

interface Fixture {
  readonly organizationId: string;
  readonly ownerToken: string;
  readonly adminToken: string;
  readonly apiKey: string;
  /** A service the organization operates (as catalog announced it), for service-bound keys. */
  readonly serviceId: string;
  readonly ids: Readonly<Record<Actor, string>>;
}

interface Row {
  readonly method: string;
  /** The route as Express knows it (with `/api/identity` and `:params`). */
  readonly route: string;
  /** `internal`: only the platform's services (internal credential), so every actor here is refused 401. */
  readonly allowed: 'everyone' | 'internal' | readonly Actor[];
  /** The concrete request; may create what it acts on, so every allowed actor gets its own target. */
  readonly request: (fixture: Fixture, actor: Actor) => Promise<{ path: string; body?: unknown }>;
}

const BOOTSTRAP_TOKEN = `bootstrap-${randomUUID()}-${randomUUID()}`;
let identity: RunningService<IdentityConfig>;
let client: IdentityClient;
let fixture: Fixture;
const credentials = new Map<Actor, string | undefined>();

beforeAll(async () => {
  identity = await startService(identityService, {
    env: {
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
      ...GENEROUS_RATE_LIMITS,
      // The owner founds an organization per actor for the leave row.
      ORGANIZATIONS_PER_ACCOUNT_LIMIT: '25',
      // Payments configured but never reached: the matrix's requests stop at validation or the signature.
      STRIPE_API_BASE: 'http://127.0.0.1:9',
      STRIPE_SECRET_KEY: 'sk_test_authorization_matrix',
      STRIPE_WEBHOOK_SECRET: 'whsec_authorization_matrix',
    },
  });
  client = new IdentityClient(identity);
  const accounts = Object.fromEntries(
    await Promise.all(ACCOUNTS.map(async (actor) => [actor, await client.newAccount(actor)] as const)),
  ) as Record<Actor, { id: string; email: string; token: string }>;
  const admin = accounts.admin;
  const bootstrap = await client.call('POST', '/v1/admins/bootstrap', {
    credential: admin.token,
    body: { token: BOOTSTRAP_TOKEN },
  });
  expect(bootstrap.status).toBe(200);
  const organizationId = await client.newOrganization(accounts.owner.token, 'operator');
  await client.newOrganization(accounts.outsider.token, 'operator');
  await joinByInvitation(client, accounts.owner.token, organizationId, accounts.member);
  const serviceId = await announceService(identity, organizationId);
  for (const actor of ACCOUNTS) credentials.set(actor, await client.login(accounts[actor].email));
  const key = await client.call<{ key: string }>('POST', `/v1/organizations/${organizationId}/api-keys`, {
    credential: credentials.get('owner'),
    body: { name: 'matrix', scopes: ['metering:write'], serviceId },
  });
  expect(key.status).toBe(201);
  credentials.set('apiKey', key.body.key);
  credentials.set('anonymous', undefined);
  fixture = {
    organizationId,
    ownerToken: credentials.get('owner') as string,
    adminToken: credentials.get('admin') as string,
    apiKey: key.body.key,
    serviceId,
    ids: {
      ...Object.fromEntries(ACCOUNTS.map((actor) => [actor, accounts[actor].id])),
      anonymous: '',
      apiKey: '',
    } as Record<Actor, string>,
  };
});

afterAll(async () => {
  await identity.stop();
});

const organization = (f: Fixture) => `/v1/organizations/${f.organizationId}`;

async function newMember(f: Fixture): Promise<string> {
  const account = await client.newAccount('target');
  await joinByInvitation(client, f.ownerToken, f.organizationId, account);
  return account.id;
}

async function newInvitation(f: Fixture): Promise<string> {
  const invited = await client.call<{ id: string }>('POST', `${organization(f)}/invitations`, {
    credential: f.ownerToken,
    body: { accountId: (await client.newAccount('invitee')).id, role: 'member' },
  });
  expect(invited.status).toBe(201);
  return invited.body.id;
}

/** An organization of the owner that the member joined too, so that leaving it changes nothing else. */
async function organizationToLeave(f: Fixture): Promise<string> {
  const organizationId = await client.newOrganization(f.ownerToken, 'developer', 'leavable');
  const member = { id: f.ids.member, token: credentials.get('member') as string };
  await joinByInvitation(client, f.ownerToken, organizationId, member);
  return organizationId;
}

async function newOidcClient(f: Fixture): Promise<string> {
  const created = await client.call<{ clientId: string }>('POST', `${organization(f)}/oidc-clients`, {
    credential: f.ownerToken,
    body: { serviceId: f.serviceId, name: 'target', redirectUris: ['https://app.example/callback'] },
  });
  expect(created.status).toBe(201);
  return created.body.clientId;
}

/** One client for the rows that read or change it; a row that deletes makes its own for each allowed actor. */
let sharedOidcClient: Promise<string> | undefined;
const oidcClientOf = (f: Fixture) => (sharedOidcClient ??= newOidcClient(f));

async function newKey(f: Fixture): Promise<string> {
  const created = await client.call<{ id: string }>('POST', `${organization(f)}/api-keys`, {
    credential: f.ownerToken,
    body: { name: 'target', scopes: ['metering:write'], serviceId: f.serviceId },
  });
  expect(created.status).toBe(201);
  return created.body.id;
}

async function newAdmin(f: Fixture): Promise<string> {
  const account = await client.newAccount('admin-target');
  expect((await client.call('PUT', `/v1/admins/${account.id}`, { credential: f.adminToken })).status).toBe(
    200,
  );
  return account.id;
}

/** Well-formed tokens no link carries. */
const UNKNOWN_TOKEN = { verify: `ocv_${'A'.repeat(43)}`, reset: `ocp_${'A'.repeat(43)}` };

const freshEmail = () => `matrix-${randomUUID()}@example.org`;

const ROWS: readonly Row[] = [
  {
    method: 'POST',
    route: '/api/identity/v1/accounts',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({
        path: '/v1/accounts',
        body: { email: freshEmail(), password: 'a long enough password' },
      }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/accounts/me',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/accounts/me' }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/accounts/:accountId',
    // Everyone asks for the subscriber's account: only the subscriber and an admin may read it.
    allowed: ['subscriber', 'admin'],
    request: (f) => Promise.resolve({ path: `/v1/accounts/${f.ids.subscriber}` }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/me/email-verification',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/accounts/me/email-verification' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/email-verification',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({ path: '/v1/accounts/email-verification', body: { token: UNKNOWN_TOKEN.verify } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/password-reset',
    allowed: 'everyone',
    request: () => Promise.resolve({ path: '/v1/accounts/password-reset', body: { email: freshEmail() } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/password-reset/confirm',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({
        path: '/v1/accounts/password-reset/confirm',
        body: { token: UNKNOWN_TOKEN.reset, password: 'a long enough password' },
      }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/me/password',
    allowed: ACCOUNTS,
    // A wrong current password: let through, refused by identity's rule, and nothing changes.
    request: () =>
      Promise.resolve({
        path: '/v1/accounts/me/password',
        body: { currentPassword: 'not the password', newPassword: 'a long enough password' },
      }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/accounts/me/sign-out-everywhere',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/accounts/me/sign-out-everywhere' }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/accounts/me',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/accounts/me', body: { password: 'not the password' } }),
  },
  ...(['verify-email', 'reset-password', 'forgot-password'] as const).flatMap((page): Row[] => [
    {
      method: 'GET',
      route: `/api/identity/account/${page}`,
      allowed: 'everyone',
      request: () => Promise.resolve({ path: `/account/${page}?token=unknown` }),
    },
    {
      method: 'POST',
      route: `/api/identity/account/${page}`,
      allowed: 'everyone',
      request: () => Promise.resolve({ path: `/account/${page}`, body: { token: 'unknown' } }),
    },
  ]),
  {
    method: 'POST',
    route: '/api/identity/v1/sessions',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({ path: '/v1/sessions', body: { email: freshEmail(), password: 'wrong password' } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/sessions/refresh',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({ path: '/v1/sessions/refresh', body: { refreshToken: `ocr_${'A'.repeat(43)}` } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/sessions/logout',
    allowed: 'everyone',
    request: () =>
      Promise.resolve({ path: '/v1/sessions/logout', body: { refreshToken: `ocr_${'A'.repeat(43)}` } }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/.well-known/jwks.json',
    allowed: 'everyone',
    request: () => Promise.resolve({ path: '/v1/.well-known/jwks.json' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations',
    allowed: ACCOUNTS,
    request: () =>
      Promise.resolve({
        path: '/v1/organizations',
        body: { name: `Org ${randomUUID()}`, kind: 'developer' },
      }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/organizations' }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId',
    allowed: ['member', 'owner', 'admin'],
    request: (f) => Promise.resolve({ path: organization(f) }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId/members',
    allowed: ['member', 'owner', 'admin'],
    request: (f) => Promise.resolve({ path: `${organization(f)}/members` }),
  },
  {
    method: 'PUT',
    route: '/api/identity/v1/organizations/:organizationId/members/:accountId',
    allowed: ['owner', 'admin'],
    // A member's role changes directly (to the role it has: a no-op); new members come by invitation.
    request: async (f) => ({
      path: `${organization(f)}/members/${await newMember(f)}`,
      body: { role: 'member' },
    }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations/:organizationId/leave',
    // Members and owners (the last owner is refused 409); an admin who is no member has nothing to leave.
    allowed: ['member', 'owner'],
    request: async (f) => ({ path: `/v1/organizations/${await organizationToLeave(f)}/leave` }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations/:organizationId/invitations',
    allowed: ['owner', 'admin'],
    request: async (f) => ({
      path: `${organization(f)}/invitations`,
      body: { accountId: (await client.newAccount('invitee')).id, role: 'member' },
    }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId/invitations',
    allowed: ['owner', 'admin'],
    request: (f) => Promise.resolve({ path: `${organization(f)}/invitations` }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/organizations/:organizationId/invitations/:invitationId',
    allowed: ['owner', 'admin'],
    request: async (f) => ({ path: `${organization(f)}/invitations/${await newInvitation(f)}` }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/invitations',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/invitations' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/invitations/:invitationId/accept',
    // Any account may try; only the invitee finds the invitation (others get 404 invitation_not_found).
    allowed: ACCOUNTS,
    request: async (f) => ({ path: `/v1/invitations/${await newInvitation(f)}/accept` }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/invitations/:invitationId/decline',
    allowed: ACCOUNTS,
    request: async (f) => ({ path: `/v1/invitations/${await newInvitation(f)}/decline` }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/organizations/:organizationId/members/:accountId',
    allowed: ['owner', 'admin'],
    request: async (f) => ({ path: `${organization(f)}/members/${await newMember(f)}` }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations/:organizationId/api-keys',
    allowed: ['owner', 'admin'],
    request: (f) =>
      Promise.resolve({
        path: `${organization(f)}/api-keys`,
        body: { name: 'k', scopes: ['metering:write'], serviceId: f.serviceId },
      }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId/api-keys',
    allowed: ['member', 'owner', 'admin'],
    request: (f) => Promise.resolve({ path: `${organization(f)}/api-keys` }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/organizations/:organizationId/api-keys/:keyId',
    allowed: ['owner', 'admin'],
    request: async (f) => ({ path: `${organization(f)}/api-keys/${await newKey(f)}` }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/api-keys/self',
    allowed: ['apiKey'],
    request: () => Promise.resolve({ path: '/v1/api-keys/self' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/internal/api-keys/introspect',
    allowed: 'internal',
    request: () =>
      Promise.resolve({ path: '/v1/internal/api-keys/introspect', body: { key: 'ock_nothing' } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/internal/access',
    allowed: 'internal',
    request: (f) => Promise.resolve({ path: '/v1/internal/access', body: { accountId: f.ids.owner } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/admins/bootstrap',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/admins/bootstrap', body: { token: 'a wrong token' } }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/admins',
    allowed: ['admin'],
    request: () => Promise.resolve({ path: '/v1/admins' }),
  },
  {
    method: 'PUT',
    route: '/api/identity/v1/admins/:accountId',
    allowed: ['admin'],
    request: async () => ({ path: `/v1/admins/${(await client.newAccount('promoted')).id}` }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/admins/:accountId',
    allowed: ['admin'],
    request: async (f) => ({ path: `/v1/admins/${await newAdmin(f)}` }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/plans',
    allowed: 'everyone',
    request: () => Promise.resolve({ path: '/v1/plans' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/subscriptions',
    allowed: ACCOUNTS,
    // An unknown plan: the policy lets the caller through, validation answers (nothing is charged).
    request: () =>
      Promise.resolve({
        path: '/v1/subscriptions',
        body: { plan: 'no-such-plan', currency: 'EUR', paymentMethod: 'pm_card_visa' },
      }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/subscriptions/current',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/subscriptions/current' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/subscriptions/current/cancel',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/subscriptions/current/cancel' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients',
    allowed: ['owner', 'admin'],
    request: (f) =>
      Promise.resolve({
        path: `${organization(f)}/oidc-clients`,
        body: { serviceId: f.serviceId, name: 'c', redirectUris: ['https://app.example/cb'] },
      }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients',
    allowed: ['member', 'owner', 'admin'],
    request: (f) => Promise.resolve({ path: `${organization(f)}/oidc-clients` }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients/:clientId',
    allowed: ['member', 'owner', 'admin'],
    request: async (f) => ({ path: `${organization(f)}/oidc-clients/${await oidcClientOf(f)}` }),
  },
  {
    method: 'PATCH',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients/:clientId',
    allowed: ['owner', 'admin'],
    request: async (f) => ({
      path: `${organization(f)}/oidc-clients/${await oidcClientOf(f)}`,
      body: { name: 'renamed' },
    }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients/:clientId/secret',
    allowed: ['owner', 'admin'],
    request: async (f) => ({ path: `${organization(f)}/oidc-clients/${await oidcClientOf(f)}/secret` }),
  },
  {
    method: 'DELETE',
    route: '/api/identity/v1/organizations/:organizationId/oidc-clients/:clientId',
    allowed: ['owner', 'admin'],
    request: async (f, actor) => ({
      path: `${organization(f)}/oidc-clients/${actor === 'owner' || actor === 'admin' ? await newOidcClient(f) : await oidcClientOf(f)}`,
    }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/subscriptions/:subscriptionId',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: `/v1/subscriptions/${randomUUID()}` }),
  },
  {
    method: 'GET',
    route: '/api/identity/v1/payments',
    allowed: ACCOUNTS,
    request: () => Promise.resolve({ path: '/v1/payments' }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/payments/stripe/webhook',
    // Stripe calls it: no platform credential, its signature is the authentication.
    allowed: 'everyone',
    request: () => Promise.resolve({ path: '/v1/payments/stripe/webhook', body: { id: 'evt_unsigned' } }),
  },
  {
    method: 'POST',
    route: '/api/identity/v1/admin/payments/:paymentId/refunds',
    // Admins only, about any subscriber's payment: an admin gets through to `payment_not_found`.
    allowed: ['admin'],
    request: () =>
      Promise.resolve({
        path: `/v1/admin/payments/${randomUUID()}/refunds`,
        body: { amountMinor: '100', reason: 'requested_by_customer' },
      }),
  },
];

function isDenial(answer: Answer): boolean {
  const code = (answer.body['error'] as { code?: string } | undefined)?.code ?? '';
  return (DENIALS[answer.status] ?? []).includes(code);
}

const isAllowed = (row: Row, actor: Actor) =>
  row.allowed === 'everyone' || (row.allowed !== 'internal' && row.allowed.includes(actor));

describe('authorization matrix', () => {
  it('covers every route identity serves', () => {
    const router = (identity.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } })
      .router;
    const served = router.stack
      .filter((layer) => layer.route)
      .flatMap((layer) =>
        Object.keys(layer.route?.methods ?? {})
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${layer.route?.path ?? ''}`),
      )
      .filter((route) => !INFRASTRUCTURE.some((pattern) => pattern.test(route.split(' ')[1] ?? '')));
    const listed = ROWS.map((row) => `${row.method} ${row.route}`);
    expect(served.filter((route) => !listed.includes(route))).toEqual([]);
    expect(listed.filter((route) => !served.includes(route))).toEqual([]);
  });

  describe.each(ROWS)('$method $route', (row) => {
    it.each(ACTORS)('%s', async (actor) => {
      const { path, body } = await row.request(fixture, actor);
      const answer = await client.call(row.method, path, { credential: credentials.get(actor), body });
      if (isAllowed(row, actor)) {
        expect({ actor, status: answer.status, denied: isDenial(answer) }).toEqual({
          actor,
          status: answer.status,
          denied: false,
        });
        expect(answer.status).toBeLessThan(500);
      } else {
        const expected =
          row.allowed === 'internal' ||
          actor === 'anonymous' ||
          (actor === 'apiKey') !== (row.allowed as Actor[]).includes('apiKey')
            ? 401
            : 403;
        expect({ actor, status: answer.status, denied: isDenial(answer) }).toEqual({
          actor,
          status: expected,
          denied: true,
        });
      }
    });
  });
});

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
// The ledger's tests boot identity for real access tokens (by its definition, nothing internal):
// eslint-disable-next-line @nx/enforce-module-boundaries
import { identityService } from '@onecommons/identity/definition';
import { jsonRequest, type RunningService, startService } from '@onecommons/testing';
import { type LedgerConfig } from '../src/config.js';
import { ledgerService } from '../src/ledger.definition.js';

const PASSWORD = 'correct horse battery staple';

/** A ledger that checks real access tokens, the identity that issues them, and the platform's admin. */
export interface LedgerWithIdentity {
  readonly identity: RunningService;
  readonly ledger: RunningService<LedgerConfig>;
  readonly adminToken: string;
  /** Signs up a new account and returns its access token. */
  login(label: string): Promise<string>;
  /** The account id of an access token's holder. */
  accountOf(token: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startLedgerWithIdentity(env: Record<string, string>): Promise<LedgerWithIdentity> {
  const bootstrap = `bootstrap-${randomUUID()}-${randomUUID()}`;
  const identity = await startService(identityService, {
    env: { IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrap, REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000' },
  });
  const ledger = await startService(ledgerService, {
    env: {
      ...env,
      AUTH_JWKS_URL: `${identity.url}/api/identity/v1/.well-known/jwks.json`,
      AUTH_ACCESS_URL: `${identity.url}/api/identity/v1/internal/access`,
    },
  });
  const base = `${identity.url}/api/identity/v1`;
  const session = async (email: string) =>
    (
      await jsonRequest<{ accessToken: string }>(`${base}/sessions`, 'POST', {
        body: { email, password: PASSWORD },
      })
    ).body.accessToken;
  const login = async (label: string) => {
    const email = `${label}-${randomUUID()}@example.org`;
    expect(
      (await jsonRequest(`${base}/accounts`, 'POST', { body: { email, password: PASSWORD } })).status,
    ).toBe(201);
    return session(email);
  };
  const first = await login('admin');
  expect(
    (await jsonRequest(`${base}/admins/bootstrap`, 'POST', { credential: first, body: { token: bootstrap } }))
      .status,
  ).toBe(200);
  const me = await jsonRequest<{ id: string; email: string }>(`${base}/accounts/me`, 'GET', {
    credential: first,
  });
  return {
    identity,
    ledger,
    // A new session: the bootstrap's token was issued before the account became an admin.
    adminToken: await session(me.body.email),
    login,
    accountOf: async (token) =>
      (await jsonRequest<{ id: string }>(`${base}/accounts/me`, 'GET', { credential: token })).body.id,
    async stop() {
      await ledger.stop();
      await identity.stop();
    },
  };
}

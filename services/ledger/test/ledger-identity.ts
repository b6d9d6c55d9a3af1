import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
// The ledger's tests boot identity for real access tokens (by its definition, nothing internal):
import { identityService } from '@onecommons/identity/definition';
import { jsonRequest, type RunningService, startService } from '@onecommons/testing';

const PASSWORD = 'correct horse battery staple';

/** Identity in this process, with a platform admin: what the ledger's authenticated endpoints check against. */
export class LedgerIdentity {
  private constructor(
    readonly identity: RunningService,
    readonly adminToken: string,
  ) {}

  static async start(): Promise<LedgerIdentity> {
    const bootstrap = `bootstrap-${randomUUID()}-${randomUUID()}`;
    const identity = await startService(identityService, {
      env: { IDENTITY_ADMIN_BOOTSTRAP_TOKEN: bootstrap, REGISTRATION_RATE_LIMIT_PER_MINUTE: '1000' },
    });
    const base = `${identity.url}/api/identity/v1`;
    const { email, token } = await register(base, 'admin');
    expect(
      (
        await jsonRequest(`${base}/admins/bootstrap`, 'POST', {
          credential: token,
          body: { token: bootstrap },
        })
      ).status,
    ).toBe(200);
    // A new session carries the admin role.
    return new LedgerIdentity(identity, await session(base, email));
  }

  /** The environment with which a ledger verifies this identity's tokens and asks it for live access. */
  get ledgerEnv(): Record<string, string> {
    return {
      AUTH_JWKS_URL: `${this.identity.url}/api/identity/v1/.well-known/jwks.json`,
      AUTH_ACCESS_URL: `${this.identity.url}/api/identity/v1/internal/access`,
    };
  }

  /** A new account's access token. */
  async login(label: string): Promise<string> {
    return (await register(`${this.identity.url}/api/identity/v1`, label)).token;
  }

  async accountId(token: string): Promise<string> {
    return (
      await jsonRequest<{ id: string }>(`${this.identity.url}/api/identity/v1/accounts/me`, 'GET', {
        credential: token,
      })
    ).body.id;
  }

  stop(): Promise<void> {
    return this.identity.stop();
  }
}

async function register(base: string, label: string): Promise<{ email: string; token: string }> {
  const email = `${label}-${randomUUID()}@example.org`;
  expect(
    (await jsonRequest(`${base}/accounts`, 'POST', { body: { email, password: PASSWORD } })).status,
  ).toBe(201);
  return { email, token: await session(base, email) };
}

async function session(base: string, email: string): Promise<string> {
  return (
    await jsonRequest<{ accessToken: string }>(`${base}/sessions`, 'POST', {
      body: { email, password: PASSWORD },
    })
  ).body.accessToken;
}

import { randomUUID } from 'node:crypto';
import { expect } from '@jest/globals';
import { type RunningService } from '@onecommons/testing';
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
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Body };
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

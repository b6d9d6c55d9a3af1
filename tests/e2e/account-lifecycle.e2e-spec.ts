import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import { call, login, newAccount, PASSWORD } from './gateway-client.js';
import { linkToken, mailedLink, stackInbox, SUBJECTS } from './mail-inbox.js';
import { freshLoopbackAddress, suiteFetch } from './suite-address.js';

/**
 * The account lifecycle through the gateway, with the mail read from the stack's local inbox (maildev):
 * verification, password reset and change, signing out everywhere, deletion, and what an attacker tries.
 */
const ACCOUNTS = '/api/identity/v1/accounts';
const NEW_PASSWORD = 'a brand new passphrase';

interface TokenPair {
  readonly accessToken: string;
  readonly refreshToken: string;
}

async function session(email: string, password = PASSWORD): Promise<TokenPair> {
  const answer = await call<TokenPair>('POST', '/api/identity/v1/sessions', { body: { email, password } });
  expect(answer.status).toBe(201);
  return answer.body;
}

const loginStatus = async (email: string, password: string) =>
  (await call('POST', '/api/identity/v1/sessions', { body: { email, password } })).status;

const refresh = (refreshToken: string) =>
  call('POST', '/api/identity/v1/sessions/refresh', { body: { refreshToken } });

const requestReset = (email: string) => call('POST', `${ACCOUNTS}/password-reset`, { body: { email } });

const confirmReset = (token: string, password = NEW_PASSWORD) =>
  call('POST', `${ACCOUNTS}/password-reset/confirm`, { body: { token, password } });

/** One reset request, its 429 not waited out (`call` would, as a polite client does). */
async function resetOnce(email: string): Promise<{ status: number; code?: string }> {
  const response = await suiteFetch(`${testStack().gatewayUrl}${ACCOUNTS}/password-reset`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email }),
  });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, code: body.error?.code };
}

async function resetToken(email: string, count = 1): Promise<string> {
  return linkToken(await mailedLink(email, SUBJECTS.reset, 'reset-password', count));
}

describe('the account lifecycle through the gateway', () => {
  it('verifies the email with the link mailed at registration', async () => {
    const account = await newAccount('e2e-verify');
    const link = await mailedLink(account.email, SUBJECTS.verification, 'verify-email');
    const verified = await call(`POST`, `${ACCOUNTS}/email-verification`, {
      body: { token: linkToken(link) },
    });
    expect(verified.status).toBe(204);
    expect(await call('GET', `${ACCOUNTS}/me`, { credential: account.token })).toMatchObject({
      status: 200,
      body: { emailVerified: true },
    });
  });

  it('resets a forgotten password by mail and ends every session', async () => {
    const account = await newAccount('e2e-reset');
    const before = await session(account.email);
    expect(await requestReset(account.email)).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect((await confirmReset(await resetToken(account.email))).status).toBe(204);
    expect((await refresh(before.refreshToken)).status).toBe(401);
    expect(await loginStatus(account.email, PASSWORD)).toBe(401);
    expect(await loginStatus(account.email, NEW_PASSWORD)).toBe(201);
    await stackInbox.waitForMail(account.email, { subject: SUBJECTS.passwordChanged });
  });

  it('changes the password with the current one, and signs out everywhere', async () => {
    const account = await newAccount('e2e-change');
    const other = await session(account.email);
    const changed = await call<TokenPair>('POST', `${ACCOUNTS}/me/password`, {
      credential: account.token,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect((await refresh(other.refreshToken)).status).toBe(401);

    const fresh = await call<TokenPair>('POST', '/api/identity/v1/sessions/refresh', {
      body: { refreshToken: changed.body.refreshToken },
    });
    expect(fresh.status).toBe(200);
    expect(
      (await call('POST', `${ACCOUNTS}/me/sign-out-everywhere`, { credential: changed.body.accessToken }))
        .status,
    ).toBe(204);
    expect((await refresh(fresh.body.refreshToken)).status).toBe(401);
  });

  it('deletes an account with its password: gone for its tokens and logins, its email free again', async () => {
    const account = await newAccount('e2e-delete');
    const deleted = await call('DELETE', `${ACCOUNTS}/me`, {
      credential: account.token,
      body: { password: PASSWORD },
    });
    expect(deleted.status).toBe(204);
    expect(await call('GET', `${ACCOUNTS}/me`, { credential: account.token })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    expect(await loginStatus(account.email, PASSWORD)).toBe(401);
    const again = await call<{ id: string }>('POST', ACCOUNTS, {
      body: { email: account.email, password: PASSWORD },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(account.id);
    await login(account.email);
  });
});

describe('an attacker against the account lifecycle', () => {
  it('learns nothing about who has an account from a reset request', async () => {
    const account = await newAccount('e2e-enumerate');
    const known = await requestReset(account.email);
    const unknown = await requestReset(`nobody-${randomUUID()}@example.org`);
    expect(unknown).toEqual(known);
  });

  it('cannot reset one account’s password with another’s link', async () => {
    const [a, b] = [await newAccount('e2e-reset-a'), await newAccount('e2e-reset-b')];
    await requestReset(a.email);
    await requestReset(b.email);
    const [tokenA, tokenB] = [await resetToken(a.email), await resetToken(b.email)];
    expect((await confirmReset(tokenA)).status).toBe(204);
    // A's link changed A only; B keeps its password and its own link.
    expect(await loginStatus(b.email, PASSWORD)).toBe(201);
    expect(await loginStatus(b.email, NEW_PASSWORD)).toBe(401);
    expect((await confirmReset(tokenB, 'b chose this passphrase')).status).toBe(204);
    expect(await loginStatus(a.email, NEW_PASSWORD)).toBe(201);
  });

  it('cannot use a link twice, nor one a newer request replaced, nor one of another purpose', async () => {
    const account = await newAccount('e2e-reuse');
    await requestReset(account.email);
    const first = await resetToken(account.email, 1);
    await requestReset(account.email);
    const second = await resetToken(account.email, 2);
    expect(await confirmReset(first)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_reset_token', field: 'token' } },
    });
    expect((await confirmReset(second)).status).toBe(204);
    expect(await confirmReset(second, 'the attacker’s passphrase')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_reset_token', field: 'token' } },
    });
    const verification = linkToken(await mailedLink(account.email, SUBJECTS.verification, 'verify-email'));
    expect(await confirmReset(verification)).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'token' } },
    });
    expect(await loginStatus(account.email, NEW_PASSWORD)).toBe(201);
  });

  it('cannot call the signed-in lifecycle endpoints without a token', async () => {
    const anonymous = [
      call('POST', `${ACCOUNTS}/me/email-verification`),
      call('POST', `${ACCOUNTS}/me/password`, {
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      }),
      call('POST', `${ACCOUNTS}/me/sign-out-everywhere`),
      call('DELETE', `${ACCOUNTS}/me`, { body: { password: PASSWORD } }),
    ];
    for (const answer of await Promise.all(anonymous))
      expect(answer).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
  });

  it('cannot delete an account, nor change its password, with its access token alone', async () => {
    const account = await newAccount('e2e-stolen-token');
    expect(await call('DELETE', `${ACCOUNTS}/me`, { credential: account.token, body: {} })).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'password' } },
    });
    expect(
      await call('DELETE', `${ACCOUNTS}/me`, { credential: account.token, body: { password: 'a guess' } }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'current_password_incorrect', field: 'password' } },
    });
    expect(
      await call('POST', `${ACCOUNTS}/me/password`, {
        credential: account.token,
        body: { currentPassword: 'a guess', newPassword: NEW_PASSWORD },
      }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'current_password_incorrect', field: 'currentPassword' } },
    });
    expect((await call('GET', `${ACCOUNTS}/me`, { credential: account.token })).status).toBe(200);
    expect(await loginStatus(account.email, PASSWORD)).toBe(201);
  });

  it('cannot guess the password with a stolen access token, from any number of addresses', async () => {
    const account = await newAccount('e2e-guess');
    const guess = async (localAddress?: string) => {
      const response = await suiteFetch(`${testStack().gatewayUrl}${ACCOUNTS}/me`, {
        method: 'DELETE',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${account.token}` },
        body: JSON.stringify({ password: `guess ${randomUUID()}` }),
        localAddress,
      });
      return response.status;
    };
    // The test stack keeps the default: 10 password checks an hour per account, wherever they come from.
    for (let attempt = 0; attempt < 10; attempt++) expect(await guess()).toBe(403);
    expect(await guess(freshLoopbackAddress('guess'))).toBe(429);
    expect(await loginStatus(account.email, PASSWORD)).toBe(201);
  });

  it('cannot flood one inbox with reset mail', async () => {
    const account = await newAccount('e2e-flood');
    const unknownEmail = `nobody-${randomUUID()}@example.org`;
    // The test stack keeps the default: 5 requests an hour per email, for real and unknown emails alike.
    for (let request = 0; request < 5; request++) {
      expect((await requestReset(account.email)).status).toBe(202);
      expect((await requestReset(unknownEmail)).status).toBe(202);
    }
    const [known, unknown] = [await resetOnce(account.email), await resetOnce(unknownEmail)];
    expect(known).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(unknown).toMatchObject({ status: 429, code: 'rate_limited' });
    // The sign-in page's "Forgot your password?" form counts against the same email, from any address.
    const viaPage = await suiteFetch(`${testStack().gatewayUrl}/api/identity/account/forgot-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: account.email }).toString(),
      localAddress: freshLoopbackAddress('flood-page'),
    });
    expect(viaPage.status).toBe(429);
    await stackInbox.waitForMail(account.email, { subject: SUBJECTS.reset, count: 5 });
  });
});

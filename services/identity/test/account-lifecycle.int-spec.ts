import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  eventually,
  linkIn,
  linkToken,
  type LocalMailInbox,
  type RunningService,
  startMailInbox,
  startService,
} from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import { MailSender } from '../src/mail/mail-sender.js';
import { GENEROUS_RATE_LIMITS, IdentityClient, joinByInvitation, PASSWORD } from './identity-client.js';

/**
 * The account lifecycle against real Postgres, Kafka, Redis and a real SMTP server (maildev, in process):
 * emailed tokens, password reset and change, signing out everywhere, deletion.
 */
let identity: RunningService<IdentityConfig>;
let client: IdentityClient;
let mail: LocalMailInbox;

const NEW_PASSWORD = 'a brand new passphrase';
const VERIFY_SUBJECT = 'Confirm your email address';
const RESET_SUBJECT = 'Reset your password';

beforeAll(async () => {
  mail = await startMailInbox();
  identity = await startService(identityService, {
    env: {
      ...GENEROUS_RATE_LIMITS,
      PASSWORD_RESET_RATE_LIMIT_PER_HOUR: '100000',
      PASSWORD_RESET_ADDRESS_RATE_LIMIT_PER_HOUR: '100000',
      EMAIL_VERIFICATION_RATE_LIMIT_PER_HOUR: '100000',
      ACCOUNT_LINK_RATE_LIMIT_PER_MINUTE: '100000',
      REAUTHENTICATION_RATE_LIMIT_PER_HOUR: '100000',
      SMTP_URL: mail.smtpUrl,
      MAIL_SEND_INTERVAL_MS: '100',
    },
  });
  client = new IdentityClient(identity);
});

afterAll(async () => {
  await identity?.stop();
  await mail?.stop();
});

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

async function session(email: string, password = PASSWORD): Promise<TokenPair> {
  const answer = await client.call<TokenPair>('POST', '/v1/sessions', { body: { email, password } });
  expect(answer.status).toBe(201);
  return answer.body;
}

const refresh = (refreshToken: string) =>
  client.call('POST', '/v1/sessions/refresh', { body: { refreshToken } });

async function resetLink(email: string, count = 1): Promise<string> {
  const messages = await mail.inbox.waitForMail(email, { subject: RESET_SUBJECT, count });
  return linkIn(messages[count - 1]!, '/api/identity/account/reset-password');
}

const requestReset = (email: string) =>
  client.call('POST', '/v1/accounts/password-reset', { body: { email } });

const confirmReset = (token: string, password = NEW_PASSWORD) =>
  client.call('POST', '/v1/accounts/password-reset/confirm', { body: { token, password } });

describe('email verification', () => {
  it('mails a link at registration; the link verifies once, and only by POST', async () => {
    const account = await client.newAccount('verify');
    const [message] = await mail.inbox.waitForMail(account.email, { subject: VERIFY_SUBJECT });
    const link = linkIn(message!, '/api/identity/account/verify-email');
    expect(link.startsWith('http://onecommons.test/api/identity/account/verify-email?token=ocv_')).toBe(true);
    expect(message!.html).toContain('verify-email?token=ocv_');
    expect(message!.from[0]?.address).toBe('no-reply@onecommons.test');
    const token = linkToken(link);

    // Opening the page (as a mail scanner would) uses nothing.
    for (let opened = 0; opened < 2; opened++) {
      const page = await fetch(`${identity.url}/api/identity/account/verify-email?token=${token}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await page.text()).toContain('<form method="post" action="verify-email">');
    }
    expect((await client.call('GET', '/v1/accounts/me', { credential: account.token })).body).toMatchObject({
      emailVerified: false,
    });

    const posted = await fetch(`${identity.url}/api/identity/account/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(posted.status).toBe(200);
    expect(await posted.text()).toContain('Email address confirmed');
    expect((await client.call('GET', '/v1/accounts/me', { credential: account.token })).body).toMatchObject({
      emailVerified: true,
    });

    // Single use, by the API as by the page; and a verified email is not verified again.
    expect(await client.call('POST', '/v1/accounts/email-verification', { body: { token } })).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_verification_token', field: 'token' } },
    });
    expect(
      await client.call('POST', '/v1/accounts/me/email-verification', { credential: account.token }),
    ).toMatchObject({ status: 409, body: { error: { code: 'email_already_verified' } } });
  });

  it('sends a new link on request, which replaces the older one', async () => {
    const account = await client.newAccount('resend');
    const resent = await client.call('POST', '/v1/accounts/me/email-verification', {
      credential: account.token,
    });
    expect(resent.status).toBe(202);
    const [first, second] = await mail.inbox.waitForMail(account.email, {
      subject: VERIFY_SUBJECT,
      count: 2,
    });
    const older = linkToken(linkIn(first!, 'verify-email'));
    const newer = linkToken(linkIn(second!, 'verify-email'));
    expect(
      await client.call('POST', '/v1/accounts/email-verification', { body: { token: older } }),
    ).toMatchObject({ status: 400, body: { error: { code: 'invalid_verification_token' } } });
    expect(
      (await client.call('POST', '/v1/accounts/email-verification', { body: { token: newer } })).status,
    ).toBe(204);
  });

  it('refuses a token of another purpose and a malformed one, changing nothing', async () => {
    const account = await client.newAccount('purpose');
    expect((await requestReset(account.email)).status).toBe(202);
    const resetToken = linkToken(await resetLink(account.email));
    expect(
      await client.call('POST', '/v1/accounts/email-verification', { body: { token: resetToken } }),
    ).toMatchObject({ status: 400, body: { error: { code: 'validation_failed', field: 'token' } } });
    const forged = `ocv_${resetToken.slice(4)}`;
    expect(
      await client.call('POST', '/v1/accounts/email-verification', { body: { token: forged } }),
    ).toMatchObject({ status: 400, body: { error: { code: 'invalid_verification_token', field: 'token' } } });
    const [row] = await identity.query<{ email_verified: boolean }>(
      'SELECT email_verified FROM accounts WHERE id = $1',
      [account.id],
    );
    expect(row?.email_verified).toBe(false);
  });
});

describe('password reset', () => {
  it('answers an unknown email exactly as a known one, and mails only the account', async () => {
    const account = await client.newAccount('known');
    const unknownEmail = `nobody-${randomUUID()}@example.org`;
    const [known, unknown] = [await requestReset(account.email), await requestReset(unknownEmail)];
    expect(known.status).toBe(202);
    expect(unknown).toEqual(known);
    await resetLink(account.email);
    const [{ n } = { n: -1 }] = await identity.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outgoing_mail WHERE recipient = $1',
      [unknownEmail],
    );
    expect(n).toBe(0);
    expect(await mail.inbox.messagesTo(unknownEmail)).toEqual([]);
  });

  it('keeps only a hash of the token', async () => {
    const account = await client.newAccount('hashed');
    expect((await requestReset(account.email)).status).toBe(202);
    const token = linkToken(await resetLink(account.email));
    const hashes = await identity.query<{ token_hash: Buffer }>(
      `SELECT token_hash FROM account_tokens WHERE account_id = $1 AND purpose = 'password_reset'`,
      [account.id],
    );
    expect(hashes.map((row) => row.token_hash.toString('hex'))).toEqual([
      createHash('sha256').update(token).digest('hex'),
    ]);
  });

  it('sets the new password once, ends every session, and proves the email', async () => {
    const account = await client.newAccount('reset');
    const before = await session(account.email);
    expect((await requestReset(account.email)).status).toBe(202);
    const token = linkToken(await resetLink(account.email));

    expect((await confirmReset(token)).status).toBe(204);
    expect(await refresh(before.refreshToken)).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_refresh_token' } },
    });
    expect(
      (await client.call('POST', '/v1/sessions', { body: { email: account.email, password: PASSWORD } }))
        .status,
    ).toBe(401);
    await session(account.email, NEW_PASSWORD);
    const [row] = await identity.query<{ email_verified: boolean }>(
      'SELECT email_verified FROM accounts WHERE id = $1',
      [account.id],
    );
    expect(row?.email_verified).toBe(true);
    await mail.inbox.waitForMail(account.email, { subject: 'Your password was changed' });

    // Used: refused, and the password stays the one it set.
    expect(await confirmReset(token, 'yet another passphrase')).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_reset_token', field: 'token' } },
    });
    await session(account.email, NEW_PASSWORD);
  });

  it('lets only the newest link work', async () => {
    const account = await client.newAccount('newest');
    await requestReset(account.email);
    const first = linkToken(await resetLink(account.email, 1));
    await requestReset(account.email);
    const second = linkToken(await resetLink(account.email, 2));
    expect(await confirmReset(first)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_reset_token' } },
    });
    expect((await confirmReset(second)).status).toBe(204);
  });

  it('refuses an expired link', async () => {
    const account = await client.newAccount('expired');
    await requestReset(account.email);
    const token = linkToken(await resetLink(account.email));
    await identity.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE account_id = $1`,
      [account.id],
    );
    const page = await fetch(`${identity.url}/api/identity/account/reset-password?token=${token}`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('data-code="invalid_reset_token"');
    expect(await confirmReset(token)).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_reset_token' } },
    });
    await session(account.email); // the old password still works
  });

  it('checks the new password before anything changes', async () => {
    const account = await client.newAccount('weak');
    await requestReset(account.email);
    const token = linkToken(await resetLink(account.email));
    expect(await confirmReset(token, 'short')).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'password' } },
    });
    expect((await confirmReset(token)).status).toBe(204); // still live
  });
});

describe('password change and signing out everywhere', () => {
  it('needs the current password, then ends every session and starts a fresh one', async () => {
    const account = await client.newAccount('change');
    const other = await session(account.email);
    const wrong = await client.call('POST', '/v1/accounts/me/password', {
      credential: account.token,
      body: { currentPassword: 'not my password', newPassword: NEW_PASSWORD },
    });
    expect(wrong).toMatchObject({
      status: 403,
      body: { error: { code: 'current_password_incorrect', field: 'currentPassword' } },
    });
    expect((await refresh(other.refreshToken)).status).toBe(200); // nothing changed

    const changed = await client.call<TokenPair>('POST', '/v1/accounts/me/password', {
      credential: account.token,
      body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.refreshToken).toMatch(/^ocr_/);
    const [{ n: live } = { n: -1 }] = await identity.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM refresh_tokens WHERE account_id = $1 AND revoked_at IS NULL`,
      [account.id],
    );
    expect(live).toBe(1); // only the fresh one
    expect((await refresh(changed.body.refreshToken)).status).toBe(200);
    await session(account.email, NEW_PASSWORD);
  });

  it('signs out everywhere: no refresh token of the account works', async () => {
    const account = await client.newAccount('everywhere');
    const sessions = [await session(account.email), await session(account.email)];
    const answer = await client.call('POST', '/v1/accounts/me/sign-out-everywhere', {
      credential: account.token,
    });
    expect(answer.status).toBe(204);
    for (const { refreshToken } of sessions)
      expect((await refresh(refreshToken)).body).toMatchObject({ error: { code: 'invalid_refresh_token' } });
    const reasons = await identity.query<{ revoked_reason: string }>(
      'SELECT DISTINCT revoked_reason FROM refresh_tokens WHERE account_id = $1',
      [account.id],
    );
    expect(reasons).toEqual([{ revoked_reason: 'signed_out_everywhere' }]);
  });
});

describe('account deletion', () => {
  it('needs the password, erases the personal data, and frees the email for a new account', async () => {
    const account = await client.newAccount('delete');
    const owner = await client.newAccount('owner');
    const organizationId = await client.newOrganization(owner.token, 'developer');
    await joinByInvitation(client, owner.token, organizationId, account);
    const refreshable = await session(account.email);

    expect(
      await client.call('DELETE', '/v1/accounts/me', {
        credential: account.token,
        body: { password: 'wrong one' },
      }),
    ).toMatchObject({
      status: 403,
      body: { error: { code: 'current_password_incorrect', field: 'password' } },
    });
    expect(
      await client.call('DELETE', '/v1/accounts/me', { credential: account.token, body: {} }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed', field: 'password' } },
    });
    expect((await refresh(refreshable.refreshToken)).status).toBe(200); // nothing changed

    const deleted = await client.call('DELETE', '/v1/accounts/me', {
      credential: account.token,
      body: { password: PASSWORD },
    });
    expect(deleted.status).toBe(204);

    const [row] = await identity.query<{ email: string; password_hash: string; deleted_at: Date | null }>(
      'SELECT email, password_hash, deleted_at FROM accounts WHERE id = $1',
      [account.id],
    );
    expect(row).toEqual({ email: `deleted:${account.id}`, password_hash: '', deleted_at: expect.any(Date) });
    const leftovers = await identity.query<{ what: string; n: number }>(
      `SELECT 'memberships' AS what, count(*)::int AS n FROM memberships WHERE account_id = $1
       UNION ALL SELECT 'tokens', count(*)::int FROM account_tokens WHERE account_id = $1
       UNION ALL SELECT 'mail', count(*)::int FROM outgoing_mail WHERE account_id = $1
       UNION ALL SELECT 'live sessions', count(*)::int FROM refresh_tokens WHERE account_id = $1 AND revoked_at IS NULL`,
      [account.id],
    );
    expect(leftovers.map(({ what, n }) => [what, n])).toEqual([
      ['memberships', 0],
      ['tokens', 0],
      ['mail', 0],
      ['live sessions', 0],
    ]);
    const [revoked] = await identity.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM outbox WHERE event_type = 'onecommons.identity.role.revoked.v1'
         AND payload::jsonb->'data'->>'accountId' = $1`,
      [account.id],
    );
    expect(revoked?.n).toBe(1);

    expect(await client.call('GET', '/v1/accounts/me', { credential: account.token })).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    expect((await refresh(refreshable.refreshToken)).status).toBe(401);
    expect(
      (await client.call('POST', '/v1/sessions', { body: { email: account.email, password: PASSWORD } }))
        .status,
    ).toBe(401);
    expect(
      (await client.call('POST', '/v1/sessions', { body: { email: `deleted:${account.id}`, password: '' } }))
        .status,
    ).toBe(400);
    expect(await requestReset(account.email)).toMatchObject({ status: 202 });

    const again = await client.call<{ id: string }>('POST', '/v1/accounts', {
      body: { email: account.email, password: PASSWORD },
    });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(account.id);
    await session(account.email);
  });

  it('is refused while the account is an organization’s only owner, changing nothing', async () => {
    const owner = await client.newAccount('sole-owner');
    const organizationId = await client.newOrganization(owner.token, 'operator');
    const answer = await client.call('DELETE', '/v1/accounts/me', {
      credential: owner.token,
      body: { password: PASSWORD },
    });
    expect(answer).toMatchObject({
      status: 409,
      body: { error: { code: 'last_owner', details: { organizationIds: [organizationId] } } },
    });
    expect((await client.call('GET', '/v1/accounts/me', { credential: owner.token })).status).toBe(200);
  });

  it('is refused while a subscription would renew', async () => {
    const account = await client.newAccount('subscriber');
    await identity.query(
      `INSERT INTO subscriptions (id, account_id, plan, currency, amount_minor, status, provider)
       VALUES ($1, $2, 'premium', 'EUR', 500, 'active', 'stripe')`,
      [randomUUID(), account.id],
    );
    expect(
      await client.call('DELETE', '/v1/accounts/me', {
        credential: account.token,
        body: { password: PASSWORD },
      }),
    ).toMatchObject({ status: 409, body: { error: { code: 'subscription_active' } } });
    await identity.query('UPDATE subscriptions SET cancel_at_period_end = true WHERE account_id = $1', [
      account.id,
    ]);
    expect(
      (
        await client.call('DELETE', '/v1/accounts/me', {
          credential: account.token,
          body: { password: PASSWORD },
        })
      ).status,
    ).toBe(204);
  });
});

describe('the mail worker', () => {
  it('keeps mail while the SMTP server is down and sends it once it is back', async () => {
    const account = await client.newAccount('smtp-down');
    await mail.inbox.waitForMail(account.email, { subject: VERIFY_SUBJECT });
    const ports = mail.ports;
    await mail.stop();
    try {
      expect((await requestReset(account.email)).status).toBe(202); // the API does not wait for SMTP
      const failed = await failedResetMailOf(account.id);
      expect(failed.attempts).toBeGreaterThanOrEqual(1);
      expect(failed.last_error).toBeTruthy();
      // What it says (a link with its token) is sealed in the table.
      expect(failed.content_sealed).toMatch(/^v1\./);
      expect(failed.content_sealed).not.toContain('ocp_');
    } finally {
      mail = await startMailInbox(ports);
    }
    await identity.query('UPDATE outgoing_mail SET next_attempt_at = now() WHERE account_id = $1', [
      account.id,
    ]);
    const link = await resetLink(account.email);
    expect((await confirmReset(linkToken(link))).status).toBe(204);
    expect(
      await identity.query('SELECT 1 FROM outgoing_mail WHERE account_id = $1 AND template = $2', [
        account.id,
        'password_reset',
      ]),
    ).toEqual([]);
  });
});

interface QueuedMail {
  readonly attempts: number;
  readonly last_error: string | null;
  readonly content_sealed: string;
}

/** The queued reset mail of the account once a send attempt failed. */
function failedResetMailOf(accountId: string): Promise<QueuedMail> {
  return eventually('a failed attempt to send the reset mail', async () => {
    await identity.app.get(MailSender).sendDue();
    const [row] = await identity.query<QueuedMail & Record<string, unknown>>(
      `SELECT attempts, last_error, content_sealed FROM outgoing_mail
        WHERE account_id = $1 AND template = 'password_reset' AND attempts > 0`,
      [accountId],
    );
    return row;
  });
}

import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { type PayoutsConfig } from '../config.js';
import { PayoutsError } from '../payouts-errors.js';
import { OnboardingSessions } from './onboarding-sessions.js';

const key = randomBytes(32).toString('base64');
const sessionsWith = (encryptionKey = key) =>
  new OnboardingSessions({
    PAYOUTS_ACCOUNT_ENCRYPTION_KEY: encryptionKey,
    PUBLIC_URL: 'https://onecommons.example/',
    PAYOUTS_ONBOARDING_SESSION_MINUTES: 60,
  } as PayoutsConfig);
const sessions = sessionsWith();
const now = new Date('2026-12-05T10:00:00Z');
const session = {
  payee: 'operator:0190f5c2-0000-7000-8000-000000000001',
  payoutAccountId: '0190f5c2-0000-7000-8000-0000000000aa',
  stripeAccountId: 'acct_1Onboarding',
};

const refusal = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    if (error instanceof PayoutsError) return { kind: error.kind, code: error.code, field: error.field };
    throw error;
  }
  return undefined;
};

describe('onboarding sessions', () => {
  it('read back what was issued, until they expire', () => {
    const { token, expiresAt } = sessions.issue(session, now);
    expect(expiresAt).toEqual(new Date('2026-12-05T11:00:00Z'));
    expect(sessions.read(token, new Date('2026-12-05T10:59:59Z'))).toEqual({ ...session, expiresAt });
    expect(refusal(() => sessions.read(token, expiresAt))).toEqual({
      kind: 'gone',
      code: 'onboarding_link_expired',
      field: 'session',
    });
  });

  it('refuse tampered, foreign and malformed tokens alike', () => {
    const { token } = sessions.issue(session, now);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    const invalid = { kind: 'invalid', code: 'onboarding_link_invalid', field: 'session' };
    for (const bad of [
      `${token.slice(0, -1)}${last}`,
      sessionsWith(randomBytes(32).toString('base64')).issue(session, now).token,
      'v1.x.y.z',
      '',
      undefined,
      ['array'],
    ])
      expect(refusal(() => sessions.read(bad, now))).toEqual(invalid);
  });

  it('put the token in page URLs on the public origin', () => {
    const url = new URL(sessions.pageUrl('refresh', 'v1.a.b.c'));
    expect(url.origin + url.pathname).toBe('https://onecommons.example/api/payouts/onboarding/refresh');
    expect(url.searchParams.get('session')).toBe('v1.a.b.c');
  });
});

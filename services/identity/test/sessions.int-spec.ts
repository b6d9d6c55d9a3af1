import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startService, type RunningService } from '@onecommons/testing';
import { decodeProtectedHeader } from 'jose';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import { SigningKeyStore } from '../src/sessions/signing-key-store.js';

let identity: RunningService<IdentityConfig>;
const password = 'correct horse battery staple';
let email: string;
let accountId: string;

beforeAll(async () => {
  identity = await startService(identityService);
  email = `session-${randomUUID()}@example.org`;
  const created = await post('/v1/accounts', { email, password });
  accountId = ((await created.json()) as { id: string }).id;
});

afterAll(async () => {
  await identity.stop();
});

function post(path: string, body: unknown) {
  return fetch(`${identity.url}/api/identity${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const me = (accessToken?: string) =>
  fetch(`${identity.url}/api/identity/v1/accounts/me`, {
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });

interface TokenPair {
  tokenType: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

async function login(): Promise<TokenPair> {
  const response = await post('/v1/sessions', { email: email.toUpperCase(), password });
  expect(response.status).toBe(201);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as TokenPair;
}

describe('login', () => {
  it('gives the same 401 for an unknown email and a wrong password', async () => {
    const unknown = await post('/v1/sessions', { email: `nobody-${randomUUID()}@example.org`, password });
    const wrong = await post('/v1/sessions', { email, password: 'not the password' });
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    const [a, b] = (await Promise.all([unknown.json(), wrong.json()])) as {
      error: { code: string; message: string };
    }[];
    expect(a?.error.code).toBe('invalid_credentials');
    expect({ code: a?.error.code, message: a?.error.message }).toEqual({
      code: b?.error.code,
      message: b?.error.message,
    });
  });

  it('issues an EdDSA access token that opens the caller’s own account, and only with a valid token', async () => {
    const pair = await login();
    expect(pair).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(pair.refreshToken).toMatch(/^ocr_[A-Za-z0-9_-]{43}$/);
    expect(decodeProtectedHeader(pair.accessToken)).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });

    const mine = await me(pair.accessToken);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toMatchObject({ id: accountId, email });

    const anonymous = await me();
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { code: 'unauthenticated' } });

    const [header, payload, signature] = pair.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: randomUUID() })).toString('base64url');
    const tampered = await me(`${header}.${forged}.${signature}`);
    expect(tampered.status).toBe(401);
    expect(await tampered.json()).toMatchObject({ error: { code: 'invalid_token' } });
  });

  it('publishes only public keys, with the kid tokens carry, and keeps private keys sealed', async () => {
    const pair = await login();
    const jwks = (await (await fetch(`${identity.url}/api/identity/v1/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[];
    };
    const { kid } = decodeProtectedHeader(pair.accessToken);
    const key = jwks.keys.find((candidate) => candidate['kid'] === kid);
    expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwks.keys.every((candidate) => !('d' in candidate))).toBe(true);
    const stored = await identity.query<{ private_key_sealed: string }>(
      'SELECT private_key_sealed FROM signing_keys',
    );
    expect(
      stored.every(
        (row) => row.private_key_sealed.startsWith('v1.') && !row.private_key_sealed.includes('PRIVATE'),
      ),
    ).toBe(true);
  });
});

describe('refresh tokens', () => {
  it('rotate on use, and a reused one revokes its whole family', async () => {
    const first = await login();
    const refreshed = await post('/v1/sessions/refresh', { refreshToken: first.refreshToken });
    expect(refreshed.status).toBe(200);
    const second = (await refreshed.json()) as TokenPair;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.accessToken)).status).toBe(200);

    const replayed = await post('/v1/sessions/refresh', { refreshToken: first.refreshToken });
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: 'invalid_refresh_token' } });
    // The legitimate holder's newer token dies with the family.
    expect((await post('/v1/sessions/refresh', { refreshToken: second.refreshToken })).status).toBe(401);
    const family = await identity.query<{ revoked_reason: string | null }>(
      `SELECT revoked_reason FROM refresh_tokens WHERE family_id =
         (SELECT family_id FROM refresh_tokens WHERE account_id = $1 ORDER BY issued_at DESC LIMIT 1)`,
      [accountId],
    );
    expect(family.map((row) => row.revoked_reason)).toEqual(family.map(() => 'reuse_detected'));
  });

  it('stop working after logout, and logout is idempotent', async () => {
    const pair = await login();
    expect((await post('/v1/sessions/logout', { refreshToken: pair.refreshToken })).status).toBe(204);
    expect((await post('/v1/sessions/logout', { refreshToken: pair.refreshToken })).status).toBe(204);
    expect((await post('/v1/sessions/refresh', { refreshToken: pair.refreshToken })).status).toBe(401);
  });

  it('reject malformed input with 400 naming the field', async () => {
    const response = await post('/v1/sessions/refresh', { refreshToken: 'eyJhbGciOi...' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: 'validation_failed', field: 'refreshToken' },
    });
  });
});

describe('signing key rotation', () => {
  it('signs new tokens with the new key and still accepts tokens signed with the retired one', async () => {
    const before = await login();
    const oldKid = decodeProtectedHeader(before.accessToken).kid;
    const newKid = await identity.app.get(SigningKeyStore).rotate();
    expect(newKid).not.toBe(oldKid);
    const after = await login();
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(newKid);
    expect((await me(before.accessToken)).status).toBe(200);
    expect((await me(after.accessToken)).status).toBe(200);
    const jwks = (await (await fetch(`${identity.url}/api/identity/v1/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.map((key) => key.kid)).toEqual([newKid, oldKid]);
  });
});

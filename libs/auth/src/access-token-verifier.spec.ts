import { createHmac, randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { InvalidTokenError } from './access-token.js';
import { AccessTokenVerifier } from './access-token-verifier.js';

const ISSUER = 'https://identity.test';
const AUDIENCE = 'onecommons';
const KID = 'key-1';

let privateKey: CryptoKey;
let publicJwk: JWK;
let verifier: AccessTokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' };
  const jwks: JSONWebKeySet = { keys: [publicJwk] };
  verifier = new AccessTokenVerifier(
    { kind: 'local', keys: async () => jwks },
    { issuer: ISSUER, audience: AUDIENCE },
  );
});

function token(
  overrides: { header?: Record<string, unknown>; claims?: Record<string, unknown>; key?: CryptoKey } = {},
) {
  return new SignJWT({ scope: 'usage:read profile', roles: ['admin'], ...overrides.claims })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: KID, ...overrides.header } as never)
    .setIssuer(String(overrides.claims?.['iss'] ?? ISSUER))
    .setAudience(String(overrides.claims?.['aud'] ?? AUDIENCE))
    .setSubject('0190a1b2-0000-7000-8000-000000000001')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(overrides.key ?? privateKey);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function rejection(jwt: string): Promise<string> {
  try {
    await verifier.verify(jwt);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidTokenError);
    return (error as InvalidTokenError).reason;
  }
  throw new Error('the token was accepted');
}

describe('AccessTokenVerifier', () => {
  it('accepts a well-formed token and returns its principal', async () => {
    const principal = await verifier.verify(await token());
    expect(principal).toMatchObject({
      subject: '0190a1b2-0000-7000-8000-000000000001',
      scopes: ['usage:read', 'profile'],
      roles: ['admin'],
    });
    expect(principal.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('rejects alg "none"', async () => {
    const valid = (await token()).split('.');
    const unsigned = `${base64url({ alg: 'none', typ: 'at+jwt', kid: KID })}.${valid[1]}.`;
    expect(await rejection(unsigned)).toBeTruthy();
  });

  it('rejects an HMAC token keyed with the public key (algorithm confusion)', async () => {
    const valid = (await token()).split('.');
    const header = base64url({ alg: 'HS256', typ: 'at+jwt', kid: KID });
    for (const secret of [JSON.stringify(publicJwk), Buffer.from(publicJwk.x ?? '', 'base64url')]) {
      const signature = createHmac('sha256', secret).update(`${header}.${valid[1]}`).digest('base64url');
      expect(await rejection(`${header}.${valid[1]}.${signature}`)).toBe('algorithm not allowed');
    }
  });

  it('rejects tampered claims', async () => {
    const [header, payload, signature] = (await token()).split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = base64url({ ...claims, sub: '0190a1b2-0000-7000-8000-00000000beef', roles: ['admin'] });
    expect(await rejection(`${header}.${forged}.${signature}`)).toBe('bad signature');
  });

  it('rejects a token signed by a key it does not publish', async () => {
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(await rejection(await token({ key: stranger.privateKey }))).toBe('bad signature');
    expect(await rejection(await token({ key: stranger.privateKey, header: { kid: 'other' } }))).toBe(
      'unknown signing key',
    );
  });

  it('rejects an ES256 token even when correctly signed', async () => {
    const es = await generateKeyPair('ES256');
    expect(await rejection(await token({ key: es.privateKey, header: { alg: 'ES256' } }))).toBe(
      'algorithm not allowed',
    );
  });

  it.each([
    ['the wrong audience', { claims: { aud: 'someone-else' } }, 'claim aud'],
    ['the wrong issuer', { claims: { iss: 'https://evil.test' } }, 'claim iss'],
    ['another token type', { header: { typ: 'JWT' } }, 'claim typ'],
  ])('rejects %s', async (_label, overrides, reason) => {
    expect(await rejection(await token(overrides))).toContain(reason);
  });

  it('rejects an expired token', async () => {
    const expired = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('x')
      .setJti(randomUUID())
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(privateKey);
    expect(await rejection(expired)).toBe('expired');
  });

  it('rejects a token without a jti or subject', async () => {
    const bare = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: KID })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await rejection(bare)).toMatch(/^claim (sub|jti)/);
  });

  it('rejects garbage', async () => {
    expect(await rejection('not.a.jwt')).toBeTruthy();
  });
});

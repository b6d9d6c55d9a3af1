import { randomBytes, randomUUID } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { base64url, decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { call } from './gateway-client.js';
import { type Callers } from './hostile-requests.js';

/** Credentials no endpoint may accept: malformed, forged, tampered, revoked or unknown. */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const checksumOf = (body: string) => {
  let text = '';
  for (let rest = crc32(body), index = 0; index < 6; index += 1, rest = Math.floor(rest / 62))
    text = BASE62[rest % 62] + text;
  return text;
};

/** A well-formed API key nobody was given (libs/auth's shape: base62 body, CRC32 checksum). */
function unknownWellFormedApiKey(): string {
  const body = `ock_${Array.from(randomBytes(32), (byte) => BASE62[byte % 62]).join('')}`;
  return body + checksumOf(body);
}

/**
 * Forgeries of a real access token (alg none, another key under the real kid, a tampered payload, HS256
 * keyed with the public key, a cut signature) and of API keys, each with what is wrong with it.
 */
export async function forgedCredentials(accessToken: string, revokedKey: string): Promise<Callers['forged']> {
  const header = { ...decodeProtectedHeader(accessToken), alg: 'EdDSA' };
  const claims = decodeJwt(accessToken);
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const [encodedHeader, , signature] = accessToken.split('.');
  const tampered = base64url.encode(JSON.stringify({ ...claims, sub: randomUUID(), roles: ['admin'] }));
  const jwks = await call<{ keys: { x: string }[] }>('GET', '/api/identity/v1/.well-known/jwks.json');
  const otherKey = await new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
  const confused = await new SignJWT(claims)
    .setProtectedHeader({ ...header, alg: 'HS256' })
    .sign(new TextEncoder().encode(jwks.body.keys[0]?.x ?? ''));
  const unsigned = `${base64url.encode(JSON.stringify({ ...header, alg: 'none' }))}.${base64url.encode(JSON.stringify(claims))}.`;
  const bearer = (value: string) => `Bearer ${value}`;
  return [
    { how: 'scheme without credential', value: 'Bearer' },
    { how: 'Basic scheme', value: 'Basic YWRtaW46YWRtaW4=' },
    { how: 'garbage', value: bearer('garbage') },
    { how: 'two credentials', value: `${bearer(accessToken)} ${bearer(accessToken)}` },
    { how: 'JWT with alg none', value: bearer(unsigned) },
    { how: 'JWT signed by another key with the real kid', value: bearer(otherKey) },
    { how: 'JWT with a tampered payload', value: bearer(`${encodedHeader}.${tampered}.${signature}`) },
    { how: 'JWT HS256 keyed with the public key', value: bearer(confused) },
    { how: 'JWT with a truncated signature', value: bearer(accessToken.slice(0, -8)) },
    { how: 'JWT-shaped garbage', value: bearer('eyJhbGciOiJFZERTQSJ9.e30.AAAA') },
    { how: 'malformed API key', value: bearer(`ock_${'x'.repeat(20)}`) },
    {
      how: 'unknown well-formed API key',
      value: bearer(unknownWellFormedApiKey()),
    },
    { how: 'revoked API key', value: bearer(revokedKey) },
    { how: 'oversized credential (16 KB)', value: bearer('x'.repeat(16_000)) },
  ];
}

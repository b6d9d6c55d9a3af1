import { createHash, randomBytes } from 'node:crypto';

/**
 * The platform's bearer secrets that are not JWTs (refresh tokens, emailed links): a recognisable prefix and
 * 256 random bits, base64url. Only their SHA-256 is stored, so a database read reveals no usable token.
 */
export function newOpaqueToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export const opaqueTokenHash = (token: string): Buffer => createHash('sha256').update(token).digest();

/** What a well-formed token of this prefix looks like (DTOs validate with it). */
export const opaqueTokenPattern = (prefix: string) => new RegExp(`^${prefix}[A-Za-z0-9_-]{43}$`);

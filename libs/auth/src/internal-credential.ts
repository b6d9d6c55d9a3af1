import { createHash, timingSafeEqual } from 'node:crypto';

/** The header a platform service sends its internal credential in (the gateway never forwards `/internal/`). */
export const INTERNAL_TOKEN_HEADER = 'x-onecommons-internal-token';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The platform-internal credential (`INTERNAL_API_TOKEN`), shared by the platform's services only. Compared
 * through fixed-length digests in constant time: neither the time nor the length of a guess tells how close
 * it was.
 */
export class InternalCredential {
  private readonly expected: Buffer;

  constructor(token: string) {
    if (token.length < 32) throw new Error('the internal API token must be at least 32 characters');
    this.expected = digest(token);
  }

  matches(presented: string | undefined): boolean {
    return presented !== undefined && timingSafeEqual(digest(presented), this.expected);
  }
}

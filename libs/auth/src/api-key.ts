import { createHash, randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * API keys look like `ock_<32 random base62><6 base62 checksum>`: the prefix makes a leaked key easy to
 * recognise (secret scanners, logs), the CRC32 checksum lets a typo or a made-up key be refused without
 * a database lookup. Only the SHA-256 of a key is stored; 190 random bits make a slow hash unnecessary.
 */
export const API_KEY_PREFIX = 'ock_';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const API_KEY_SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/** What an API key may be used for; `metering:write` keys are bound to one service. */
export const API_KEY_SCOPES = ['metering:write', 'webhooks:manage'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Scopes whose key must name the one service it acts for. */
export const SERVICE_BOUND_SCOPES: readonly ApiKeyScope[] = ['metering:write'];

/** Who a valid API key speaks for: an organization, within the key's scopes. */
export interface ApiKeyPrincipal {
  readonly kind: 'api_key';
  readonly keyId: string;
  readonly organizationId: string;
  readonly scopes: readonly ApiKeyScope[];
  /** The service a service-bound key acts for, else null. */
  readonly serviceId: string | null;
}

/** Resolves a presented key to its principal, or null when it is unknown, revoked or expired. */
export interface ApiKeySource {
  resolve(key: string): Promise<ApiKeyPrincipal | null>;
}

function base62(value: number, length: number): string {
  let digits = '';
  let rest = value;
  for (let index = 0; index < length; index += 1) {
    digits = BASE62[rest % 62] + digits;
    rest = Math.floor(rest / 62);
  }
  return digits;
}

const checksumOf = (body: string) => base62(crc32(body), CHECKSUM_LENGTH);

export function generateApiKey(): string {
  let random = '';
  for (let index = 0; index < RANDOM_LENGTH; index += 1) random += BASE62[randomInt(62)];
  const body = API_KEY_PREFIX + random;
  return body + checksumOf(body);
}

/** Whether a string is shaped like an API key and its checksum matches (says nothing about validity). */
export function isWellFormedApiKey(candidate: string): boolean {
  if (!API_KEY_SHAPE.test(candidate)) return false;
  const body = candidate.slice(0, -CHECKSUM_LENGTH);
  return checksumOf(body) === candidate.slice(-CHECKSUM_LENGTH);
}

export const apiKeyHash = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/** The part of a key shown in lists so its owner can tell keys apart: prefix and 4 random characters. */
export const apiKeyDisplayPrefix = (key: string): string => key.slice(0, API_KEY_PREFIX.length + 4);

import { accessSync, constants, statSync } from 'node:fs';
import { z } from 'zod';

/**
 * Reusable environment-variable field types. Each one explains itself in the boot error, and says in its JSON
 * Schema metadata what the string must spell where zod cannot see it (a refinement is opaque to
 * `z.toJSONSchema`): `commons docs config` documents every variable from that.
 */

export function integerVar(options: { min?: number; max?: number; default?: number } = {}) {
  const min = options.min ?? Number.MIN_SAFE_INTEGER;
  const max = options.max ?? Number.MAX_SAFE_INTEGER;
  const field = z
    .string()
    .regex(/^-?\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .refine((value) => value >= min && value <= max, {
      error: `must be an integer between ${min} and ${max}`,
    })
    .meta({
      type: 'integer',
      ...(options.min === undefined ? {} : { minimum: options.min }),
      ...(options.max === undefined ? {} : { maximum: options.max }),
    });
  return options.default === undefined ? field : field.prefault(String(options.default));
}

export function portVar(defaultPort?: number) {
  return integerVar({ min: 1, max: 65535, ...(defaultPort === undefined ? {} : { default: defaultPort }) });
}

export function booleanVar(defaultValue: boolean) {
  return z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1');
}

export function urlVar(protocols: readonly string[]) {
  return z
    .string()
    .refine(
      (value) => {
        try {
          return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { error: `must be a URL with scheme ${protocols.join(' or ')}` },
    )
    .meta({ format: 'uri', pattern: `^(${protocols.join('|')}):` });
}

/** An http(s) origin: scheme, host and port, without a path, query or fragment (a trailing slash is allowed). */
export function originVar() {
  return urlVar(['http', 'https']).refine(
    (value) => URL.canParse(value) && new URL(value).origin === value.replace(/\/$/, ''),
    { error: 'must be an origin: scheme, host and port, without a path, query or fragment' },
  );
}

/** A comma-separated list of host:port pairs, e.g. Kafka bootstrap servers. */
export function hostPortListVar() {
  return z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    )
    .refine(
      (entries) => entries.length > 0 && entries.every((entry) => /^[A-Za-z0-9.-]+:\d{1,5}$/.test(entry)),
      {
        error: 'must be a comma-separated list of host:port',
      },
    )
    .meta({ pattern: /^[A-Za-z0-9.-]+:\d{1,5}( *, *[A-Za-z0-9.-]+:\d{1,5})*$/.source });
}

export function enumVar<const Values extends readonly [string, ...string[]]>(
  values: Values,
  defaultValue: Values[number],
) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` }).default(defaultValue);
}

export function identifierVar(defaultValue?: string) {
  const field = z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, { error: 'must be a lowercase identifier (a-z, 0-9, _)' });
  return defaultValue === undefined ? field : field.default(defaultValue);
}

const BASE64_OF_32_BYTES = /^[A-Za-z0-9+/_-]{43}=?$/;

/** An AES-256 key: a base64 (or base64url) encoding of exactly 32 random bytes. */
export function encryptionKeyVar() {
  return z
    .string({ error: 'is required' })
    .refine((value) => BASE64_OF_32_BYTES.test(value) && Buffer.from(value, 'base64').length === 32, {
      error: 'must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
    })
    .meta({ pattern: BASE64_OF_32_BYTES.source });
}

/** A path to a regular file this process can read (a CA bundle, a certificate, a key), checked at boot. */
export function readableFileVar() {
  return z.string().refine(
    (value) => {
      try {
        accessSync(value, constants.R_OK);
        return statSync(value).isFile();
      } catch {
        return false;
      }
    },
    { error: 'must be the path of a readable file' },
  );
}

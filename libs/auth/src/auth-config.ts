import { integerVar, urlVar } from '@onecommons/config';
import { z } from 'zod';

/**
 * The platform-internal credential every service holds: sent on service-to-service calls to identity's
 * `/internal/` endpoints, checked there. At least 32 characters (e.g. `openssl rand -base64 32`).
 */
export const internalCallConfigShape = {
  INTERNAL_API_TOKEN: z
    .string({ error: 'is required: the platform-internal credential (`openssl rand -base64 32`)' })
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' }),
};

/** How a service checks access tokens: whose they are (`iss`), for whom (`aud`), and where the keys are. */
export const authConfigShape = {
  AUTH_ISSUER: z.string().min(1).default('https://identity.onecommons.local'),
  AUTH_AUDIENCE: z.string().min(1).default('onecommons'),
  AUTH_JWKS_URL: urlVar(['http', 'https']),
  ...internalCallConfigShape,
};

/** Services that take API keys ask identity about each one (no cache, so a revocation takes effect at once). */
export const apiKeyConfigShape = {
  AUTH_API_KEY_INTROSPECTION_URL: urlVar(['http', 'https']),
};

/**
 * A service on a hot path (metering's ingest) may keep identity's answers about live keys for this many
 * seconds (0: ask every time); a revocation still ends them at the next request (`CachedApiKeySource`), provided
 * the service and identity use the same Redis (`REDIS_URL`, where identity moves the revocation epoch).
 */
export const apiKeyCacheConfigShape = {
  AUTH_API_KEY_CACHE_SECONDS: integerVar({ min: 0, max: 300, default: 30 }),
};

/**
 * Services whose endpoints move money ask identity about the caller's memberships and platform roles on each
 * request (identity's `/v1/internal/access`), rather than trusting the access token's claims until it expires.
 */
export const liveAccessConfigShape = {
  AUTH_ACCESS_URL: urlVar(['http', 'https']),
};

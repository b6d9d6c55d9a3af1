import { integerVar, urlVar } from '@onecommons/config';
import { z } from 'zod';

/** The platform-internal credential every service holds. */
export const internalCallConfigShape = {
  INTERNAL_API_TOKEN: z
    .string({ error: 'is required: the platform-internal credential (`openssl rand -base64 32`)' })
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
    .meta({
      description:
        'The platform-internal credential, the same in every service: sent on service-to-service calls to ' +
        "identity's `/internal/` endpoints, checked there. At least 32 characters (e.g. `openssl rand -base64 32`).",
    }),
};

/** How a service checks access tokens: whose they are (`iss`), for whom (`aud`), and where the keys are. */
export const authConfigShape = {
  AUTH_ISSUER: z
    .string()
    .min(1)
    .default('https://identity.onecommons.local')
    .meta({ description: "The issuer (`iss`) an access token must name: identity's AUTH_ISSUER." }),
  AUTH_AUDIENCE: z
    .string()
    .min(1)
    .default('onecommons')
    .meta({ description: "The audience (`aud`) an access token must name: identity's AUTH_AUDIENCE." }),
  AUTH_JWKS_URL: urlVar(['http', 'https']).meta({
    description: "Identity's JSON Web Key Set: the public keys access tokens are checked with.",
    examples: ['http://127.0.0.1:3001/api/identity/v1/.well-known/jwks.json'],
  }),
  ...internalCallConfigShape,
};

/** Services that take API keys ask identity about each one (no cache, so a revocation takes effect at once). */
export const apiKeyConfigShape = {
  AUTH_API_KEY_INTROSPECTION_URL: urlVar(['http', 'https']).meta({
    description: "Identity's endpoint that says whose an API key is and whether it is live.",
    examples: ['http://127.0.0.1:3001/api/identity/v1/internal/api-keys/introspect'],
  }),
};

/** The cache of identity's answers about API keys (`CachedApiKeySource`). */
export const apiKeyCacheConfigShape = {
  AUTH_API_KEY_CACHE_SECONDS: integerVar({ min: 0, max: 300, default: 30 }).meta({
    description:
      "How long a service on a hot path (metering's ingest) may keep identity's answers about live keys (0: ask " +
      'every time); a revocation still ends them at the next request, provided the service and identity use the ' +
      'same Redis (REDIS_URL, where identity moves the revocation epoch).',
  }),
};

/**
 * Services whose endpoints move money ask identity about the caller's memberships and platform roles on each
 * request, rather than trusting the access token's claims until it expires.
 */
export const liveAccessConfigShape = {
  AUTH_ACCESS_URL: urlVar(['http', 'https']).meta({
    description:
      "Identity's endpoint that says the caller's memberships and platform roles now (`/v1/internal/access`), " +
      "asked on each request instead of trusting the access token's claims until it expires.",
    examples: ['http://127.0.0.1:3001/api/identity/v1/internal/access'],
  }),
};

import { urlVar } from '@onecommons/config';
import { z } from 'zod';

/** How a service checks access tokens: whose they are (`iss`), for whom (`aud`), and where the keys are. */
export const authConfigShape = {
  AUTH_ISSUER: z.string().min(1).default('https://identity.onecommons.local'),
  AUTH_AUDIENCE: z.string().min(1).default('onecommons'),
  AUTH_JWKS_URL: urlVar(['http', 'https']),
};

/** Services that take API keys ask identity about each one (no cache, so a revocation takes effect at once). */
export const apiKeyConfigShape = {
  AUTH_API_KEY_INTROSPECTION_URL: urlVar(['http', 'https']),
};

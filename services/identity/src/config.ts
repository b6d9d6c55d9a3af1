import { integerVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';

/** A base64 (or base64url) encoding of exactly 32 random bytes. */
const keyEncryptionKey = z
  .string({ error: 'is required' })
  .refine((value) => /^[A-Za-z0-9+/_-]{43}=?$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    error: 'must be 32 random bytes, base64-encoded (e.g. `openssl rand -base64 32`)',
  });

/** Identity's environment: the platform's common variables plus token issuing. */
export const identityConfigSchema = defineServiceConfig({
  AUTH_ISSUER: z.string().min(1).default('https://identity.onecommons.local'),
  AUTH_AUDIENCE: z.string().min(1).default('onecommons'),
  IDENTITY_KEY_ENCRYPTION_KEY: keyEncryptionKey,
  ACCESS_TOKEN_TTL_SECONDS: integerVar({ min: 60, max: 3_600, default: 900 }),
  REFRESH_TOKEN_TTL_DAYS: integerVar({ min: 1, max: 365, default: 30 }),
  SIGNING_KEY_ROTATION_DAYS: integerVar({ min: 1, max: 365, default: 30 }),
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;

import { internalCallConfigShape } from '@onecommons/auth';
import { encryptionKeyVar, integerVar, urlVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';
import { premiumPricesVar } from './billing/premium-prices.js';

/** Identity's environment: the platform's common variables plus token issuing. */
export const identityConfigSchema = defineServiceConfig({
  AUTH_ISSUER: z.string().min(1).default('https://identity.onecommons.local'),
  AUTH_AUDIENCE: z.string().min(1).default('onecommons'),
  ...internalCallConfigShape,
  IDENTITY_KEY_ENCRYPTION_KEY: encryptionKeyVar(),
  ACCESS_TOKEN_TTL_SECONDS: integerVar({ min: 60, max: 3_600, default: 900 }),
  REFRESH_TOKEN_TTL_DAYS: integerVar({ min: 1, max: 365, default: 30 }),
  SIGNING_KEY_ROTATION_DAYS: integerVar({ min: 1, max: 365, default: 30 }),
  /** Login attempts per minute for one email from one client address (guessing one password). */
  LOGIN_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 10 }),
  /** Login attempts per minute from one client address, any email (credential stuffing). */
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 60 }),
  /** Login attempts per hour for one email from any address (guessing spread over many addresses). */
  LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 1_000_000, default: 100 }),
  /** Refresh-token exchanges per minute from one client address. */
  TOKEN_REFRESH_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 300 }),
  /** Account registrations per minute from one client address. */
  REGISTRATION_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 20 }),
  /**
   * Organizations one account may belong to (founded and joined). Each is a claim in the account's access
   * tokens: the maximum keeps a token under half the gateway's 8 KiB header buffer (see trust-boundaries.int-spec).
   */
  ORGANIZATIONS_PER_ACCOUNT_LIMIT: integerVar({ min: 1, max: 25, default: 20 }),
  /** Invitations one organization may have pending at once. */
  PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT: integerVar({ min: 1, max: 10_000, default: 50 }),
  /** Live (not revoked, not expired) API keys one organization may hold. */
  LIVE_API_KEYS_PER_ORGANIZATION_LIMIT: integerVar({ min: 1, max: 10_000, default: 100 }),
  /** Lets an account make itself the first platform admin; unset, the bootstrap endpoint is off. */
  IDENTITY_ADMIN_BOOTSTRAP_TOKEN: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
    .optional(),
  /** The premium plan's monthly fee per currency in minor units, e.g. `EUR:500,USD:500`. */
  PREMIUM_PRICES: premiumPricesVar('EUR:500,USD:500'),
  /** Stripe's API (host, port and protocol of the SDK); `./dev` and tests point it at the local fake. */
  STRIPE_API_BASE: urlVar(['http', 'https']).default('https://api.stripe.com'),
  /** Unset (with the webhook secret), subscribing answers 503: billing is off. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
      error: 'must be a Stripe secret key (sk_test_…/sk_live_…)',
    })
    .optional(),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=_-]+$/, { error: 'must be a Stripe webhook signing secret (whsec_…)' })
    .optional(),
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;

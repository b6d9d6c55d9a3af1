import { internalCallConfigShape } from '@onecommons/auth';
import { encryptionKeyVar, integerVar, originVar, urlVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';
import { premiumPricesVar } from './billing/premium-prices.js';

/** Identity's environment: the platform's common variables plus token issuing. */
export const identityConfigSchema = defineServiceConfig({
  AUTH_ISSUER: z.string().min(1).default('https://identity.onecommons.local').meta({
    description: "The issuer (`iss`) of the access tokens identity signs; every other service's AUTH_ISSUER.",
  }),
  AUTH_AUDIENCE: z.string().min(1).default('onecommons').meta({
    description:
      "The audience (`aud`) of the access tokens identity signs; every other service's AUTH_AUDIENCE.",
  }),
  PUBLIC_URL: originVar().meta({
    description:
      "The platform's public origin, the gateway as browsers and apps reach it (e.g. `https://onecommons.org`): " +
      'the OpenID issuer, and the base of the links identity sends by email.',
  }),
  ...internalCallConfigShape,
  SMTP_URL: urlVar(['smtp', 'smtps']).meta({
    description:
      'Where identity submits its mail (email verification, password reset): `smtp://user:password@host:587` ' +
      '(STARTTLS when the server offers it) or `smtps://…:465`. Credentials in the URL: keep it in a Secret. ' +
      '`./dev` points it at its local inbox (maildev).',
  }),
  MAIL_FROM: z
    .string()
    .regex(/^([^<>\r\n]+ <[^@\s<>]+@[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+)$/, {
      error: 'must be an address, optionally with a name: `OneCommons <no-reply@example.org>`',
    })
    .meta({ description: "The sender of identity's mail, e.g. `OneCommons <no-reply@onecommons.org>`." }),
  MAIL_SEND_INTERVAL_MS: integerVar({ min: 100, max: 60_000, default: 1_000 }).meta({
    description:
      'How often each replica looks for mail to send (queued in the same transaction as what caused it).',
  }),
  IDENTITY_KEY_ENCRYPTION_KEY: encryptionKeyVar().meta({
    description:
      'Seals the token signing keys at rest (AES-256-GCM): 32 random bytes, base64 (`openssl rand -base64 ' +
      '32`).',
  }),
  ACCESS_TOKEN_TTL_SECONDS: integerVar({ min: 60, max: 3_600, default: 900 }).meta({
    description: 'How long an access token is valid.',
  }),
  REFRESH_TOKEN_TTL_DAYS: integerVar({ min: 1, max: 365, default: 30 }).meta({
    description: 'How long a refresh token is valid.',
  }),
  SIGNING_KEY_ROTATION_DAYS: integerVar({ min: 1, max: 365, default: 30 }).meta({
    description:
      'How old the signing key may get before a new one signs; a retired key stays in the JWKS until ' +
      'every token it signed has expired.',
  }),
  LOGIN_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 10 }).meta({
    description: 'Login attempts per minute for one email from one client address (guessing one password).',
  }),
  LOGIN_ADDRESS_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 60 }).meta({
    description: 'Login attempts per minute from one client address, any email (credential stuffing).',
  }),
  LOGIN_ACCOUNT_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 1_000_000, default: 100 }).meta({
    description:
      'Login attempts per hour for one email from any address (guessing spread over many addresses).',
  }),
  TOKEN_REFRESH_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 300 }).meta({
    description: 'Refresh-token exchanges per minute from one client address.',
  }),
  REGISTRATION_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 20 }).meta({
    description: 'Account registrations per minute from one client address.',
  }),
  PASSWORD_RESET_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 100_000, default: 5 }).meta({
    description: 'Password reset requests per hour for one email, from any address (mail bombing).',
  }),
  PASSWORD_RESET_ADDRESS_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 100_000, default: 30 }).meta({
    description: 'Password reset requests per hour from one client address, any email.',
  }),
  EMAIL_VERIFICATION_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 100_000, default: 5 }).meta({
    description: 'Verification mails one account may ask to be sent again per hour.',
  }),
  ACCOUNT_LINK_RATE_LIMIT_PER_MINUTE: integerVar({ min: 1, max: 100_000, default: 30 }).meta({
    description:
      'Uses of emailed links (verify an email, reset a password; page or API) per minute from one client address.',
  }),
  REAUTHENTICATION_RATE_LIMIT_PER_HOUR: integerVar({ min: 1, max: 100_000, default: 10 }).meta({
    description:
      'Password changes and account deletions (each checks the current password) per hour for one account.',
  }),
  // The maximum keeps a token under half the gateway's 8 KiB header buffer (see trust-boundaries.int-spec).
  ORGANIZATIONS_PER_ACCOUNT_LIMIT: integerVar({ min: 1, max: 25, default: 20 }).meta({
    description:
      "Organizations one account may belong to (founded and joined). Each is a claim in the account's " +
      "access tokens, which must fit the gateway's header buffer.",
  }),
  PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT: integerVar({ min: 1, max: 10_000, default: 50 }).meta({
    description: 'Invitations one organization may have pending at once.',
  }),
  LIVE_API_KEYS_PER_ORGANIZATION_LIMIT: integerVar({ min: 1, max: 10_000, default: 100 }).meta({
    description: 'Live (not revoked, not expired) API keys one organization may hold.',
  }),
  IDENTITY_ADMIN_BOOTSTRAP_TOKEN: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' })
    .optional()
    .meta({
      description:
        'Lets an account make itself the first platform admin; at least 32 characters. Unset: the ' +
        'bootstrap endpoint is off.',
    }),
  PREMIUM_PRICES: premiumPricesVar('EUR:500,USD:500').meta({
    description: "The premium plan's monthly fee per currency in minor units, `CUR:amount,…`.",
  }),
  STRIPE_API_BASE: urlVar(['http', 'https']).default('https://api.stripe.com').meta({
    description:
      "Stripe's API (host, port and protocol of the SDK); `./dev` and tests point it at the local fake.",
  }),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, {
      error: 'must be a Stripe secret key (sk_test_…/sk_live_…)',
    })
    .optional()
    .meta({
      description:
        'The Stripe API key subscriptions are charged with, set together with STRIPE_WEBHOOK_SECRET. ' +
        'Unset (both): subscribing answers 503, billing is off.',
    }),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=_-]+$/, { error: 'must be a Stripe webhook signing secret (whsec_…)' })
    .optional()
    .meta({
      description: "The signing secret of Stripe's webhook to identity; set together with STRIPE_SECRET_KEY.",
    }),
});

export type IdentityConfig = z.output<typeof identityConfigSchema>;

/** The key that seals identity's secrets at rest (signing keys, client secrets, queued mail), as bytes. */
export const sealingKeyOf = (config: IdentityConfig): Buffer =>
  Buffer.from(config.IDENTITY_KEY_ENCRYPTION_KEY, 'base64');

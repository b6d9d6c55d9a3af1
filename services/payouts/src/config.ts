import { authConfigShape, liveAccessConfigShape } from '@onecommons/auth';
import { encryptionKeyVar, integerVar, originVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';
import { railConfigShape } from './rails/rail-config.js';

/** `EUR=1000,USD=1500`: currency → payout threshold in minor units. */
function thresholdsVar() {
  return z
    .string()
    .default('EUR=1000')
    .refine(
      (value) => /^([A-Z]{3}=[1-9]\d{0,14}(,[A-Z]{3}=[1-9]\d{0,14})*)?$/.test(value.replace(/\s/g, '')),
      {
        error: 'must be comma-separated CUR=minor-units pairs, e.g. EUR=1000,USD=1500',
      },
    )
    .transform(
      (value) =>
        new Map(
          value
            .replace(/\s/g, '')
            .split(',')
            .filter(Boolean)
            .map((pair) => {
              const [currency, amount] = pair.split('=') as [string, string];
              return [currency, BigInt(amount)] as const;
            }),
        ),
    );
}

/** Payouts's environment: authentication, rails, onboarding, thresholds and the worker's timing. */
export const payoutsConfigSchema = defineServiceConfig({
  ...authConfigShape,
  // Money moves here: memberships and roles are asked of identity per request, not read from the token.
  ...liveAccessConfigShape,
  ...railConfigShape,
  PUBLIC_URL: originVar().meta({
    description:
      "The platform's public origin, the gateway as browsers reach it (e.g. `https://onecommons.org`): Stripe " +
      "sends a payee back to payouts' onboarding pages there (`/api/payouts/onboarding/…`).",
  }),
  PAYOUTS_ONBOARDING_SESSION_MINUTES: integerVar({ min: 5, max: 10_080, default: 60 }).meta({
    description:
      'How long the return and refresh links of a Stripe onboarding stay usable after it was started: the refresh ' +
      "link makes a new Stripe account link without the payee's credentials, so it is kept short.",
  }),
  PAYOUTS_ACCOUNT_ENCRYPTION_KEY: encryptionKeyVar().meta({
    description:
      'Seals payout account details (IBANs) at rest, and the sessions in Stripe onboarding links (AES-256-GCM); ' +
      '`openssl rand -base64 32`.',
  }),
  PAYOUTS_DEFAULT_THRESHOLD_MINOR: integerVar({ min: 1, max: 1_000_000_000, default: 1000 }).meta({
    description:
      'A payee is paid when its payable balance reaches the threshold of its currency, in minor units ' +
      '(1000: 10.00), else it carries forward; this one for currencies PAYOUTS_THRESHOLDS_MINOR does not ' +
      'list.',
  }),
  PAYOUTS_THRESHOLDS_MINOR: thresholdsVar().meta({
    description:
      "Each currency's payout threshold in minor units, `CUR=amount,…` (others take " +
      'PAYOUTS_DEFAULT_THRESHOLD_MINOR); metrics report these currencies even before their first payout.',
  }),
  PAYOUTS_WORKER_CONCURRENCY: integerVar({ min: 1, max: 100, default: 5 }).meta({
    description: 'Payouts one replica submits to the rails at once.',
  }),
  PAYOUTS_LEASE_SECONDS: integerVar({ min: 1, max: 3600, default: 60 }).meta({
    description:
      'How long a worker owns a payout it is submitting; after that a sweeper may run it again (same key).',
  }),
  PAYOUTS_SWEEP_INTERVAL_MS: integerVar({ min: 100, max: 600_000, default: 15_000 }).meta({
    description: 'How often payouts whose jobs Redis lost are queued again (Postgres holds the truth).',
  }),
  PAYOUTS_RETRY_BASE_MS: integerVar({ min: 10, max: 600_000, default: 5_000 }).meta({
    description: 'The first retry delay after a rail was unavailable; it doubles at each retry.',
  }),
  PAYOUTS_RETRY_MAX_MS: integerVar({ min: 10, max: 86_400_000, default: 3_600_000 }).meta({
    description: 'The longest retry delay after a rail was unavailable.',
  }),
  PAYOUTS_RAIL_SYNC_INTERVAL_MS: integerVar({ min: 100, max: 86_400_000, default: 300_000 }).meta({
    description: 'How often paid Stripe transfers are checked for reversals made at the rail.',
  }),
});

export type PayoutsConfig = z.output<typeof payoutsConfigSchema>;

export function thresholdFor(config: PayoutsConfig, currency: string): bigint {
  return config.PAYOUTS_THRESHOLDS_MINOR.get(currency) ?? BigInt(config.PAYOUTS_DEFAULT_THRESHOLD_MINOR);
}

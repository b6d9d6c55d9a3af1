import { apiKeyConfigShape, authConfigShape } from '@onecommons/auth';
import { booleanVar, encryptionKeyVar, integerVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';

/** Standard Webhooks' schedule: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
const STANDARD_RETRY_SCHEDULE = '0,5,300,1800,7200,18000,36000,50400,72000,86400';

/** `0,5,300,…`: seconds to wait before each attempt, the first included; at most 20 attempts. */
function retryScheduleVar() {
  return z
    .string()
    .default(STANDARD_RETRY_SCHEDULE)
    .refine((value) => /^\d{1,6}(,\d{1,6}){0,19}$/.test(value.replace(/\s/g, '')), {
      error: 'must be 1 to 20 comma-separated delays in seconds, e.g. 0,5,300',
    })
    .transform((value) => value.replace(/\s/g, '').split(',').map(Number));
}

/** Webhooks's environment: the platform's common variables, authentication, and delivery rules. */
export const webhooksConfigSchema = defineServiceConfig({
  ...authConfigShape,
  ...apiKeyConfigShape,
  WEBHOOKS_SECRET_ENCRYPTION_KEY: encryptionKeyVar().meta({
    description:
      'Seals endpoint signing secrets at rest (AES-256-GCM), so a database dump alone cannot forge ' +
      'deliveries; `openssl rand -base64 32`.',
  }),
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: booleanVar(false).meta({
    description:
      'Delivers to private, loopback and link-local addresses: for local development only (`./dev` sets it).',
  }),
  WEBHOOKS_RETRY_SCHEDULE_SECONDS: retryScheduleVar().meta({
    description:
      'Seconds to wait before each attempt, the first included (`0,5,300,…`); at most 20 attempts. The ' +
      "default is Standard Webhooks' schedule: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h.",
  }),
  WEBHOOKS_RETRY_JITTER_PERCENT: integerVar({ min: 0, max: 100, default: 10 }).meta({
    description:
      'Up to this share (in percent) of a retry delay is added at random, so failed receivers are not hit ' +
      'in step.',
  }),
  WEBHOOKS_MAX_RETRY_AFTER_SECONDS: integerVar({ min: 1, max: 86_400, default: 86_400 }).meta({
    description: 'The longest `Retry-After` honoured; a receiver asking for more waits this long.',
  }),
  WEBHOOKS_DELIVERY_TIMEOUT_MS: integerVar({ min: 100, max: 60_000, default: 15_000 }).meta({
    description: 'How long one attempt may take, connection to last byte.',
  }),
  WEBHOOKS_DELIVERY_CONCURRENCY: integerVar({ min: 1, max: 200, default: 20 }).meta({
    description: 'Deliveries one replica attempts at once.',
  }),
  WEBHOOKS_SWEEP_INTERVAL_MS: integerVar({ min: 100, max: 600_000, default: 30_000 }).meta({
    description:
      'How often due deliveries whose jobs Redis lost are queued again (Postgres holds the truth).',
  }),
  WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION: integerVar({ min: 1, max: 1_000, default: 20 }).meta({
    description:
      "The most endpoints one organization (or the platform's admins together) may have: each delivers " +
      'every matching event with its own retries, so the count bounds the delivery work one customer can ' +
      'cause.',
  }),
  WEBHOOKS_SECRET_ROTATION_GRACE_HOURS: integerVar({ min: 0, max: 24 * 30, default: 24 }).meta({
    description: 'How long the previous secret still signs (beside the new one) after a rotation.',
  }),
});

export type WebhooksConfig = z.output<typeof webhooksConfigSchema>;

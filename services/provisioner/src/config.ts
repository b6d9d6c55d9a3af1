import { authConfigShape } from '@onecommons/auth';
import { encryptionKeyVar, integerVar, originVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { z } from 'zod';
import {
  type AllowedApiBaseUrl,
  parseAllowedApiBaseUrl,
} from './provider-accounts/provider-api-allowlist.js';

/** Comma-separated base URLs, each checked as provider-api-allowlist.ts says. */
const allowedApiBaseUrls = z
  .string()
  .default('https://api.hetzner.cloud/v1,https://api.digitalocean.com')
  .transform((value, context) => {
    const entries = value
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    if (entries.length === 0) {
      context.addIssue({ code: 'custom', message: 'must list at least one base URL' });
      return z.NEVER;
    }
    const parsed: AllowedApiBaseUrl[] = [];
    for (const entry of entries) {
      try {
        parsed.push(parseAllowedApiBaseUrl(entry));
      } catch (error) {
        context.addIssue({
          code: 'custom',
          message: `must be comma-separated http(s) base URLs without user info or query: ${(error as Error).message}`,
        });
        return z.NEVER;
      }
    }
    return parsed;
  });

/** Provisioner's environment: the platform's common variables, access tokens, and the reconcile loop. */
export const provisionerConfigSchema = defineServiceConfig({
  ...authConfigShape,
  PROVISIONER_CREDENTIALS_KEY: encryptionKeyVar().meta({
    description: "Seals provider accounts' API tokens at rest (AES-256-GCM); `openssl rand -base64 32`.",
  }),
  PROVISIONER_ALLOWED_API_BASE_URLS: allowedApiBaseUrls.meta({
    description:
      "Where provider accounts may point, comma-separated base URLs: an account's base URL must have the " +
      'same origin (scheme, host, port) and path as one of them, so its API token cannot be sent to an ' +
      'internal address (SSRF).',
  }),
  PROVISIONER_RECONCILE_INTERVAL_MS: integerVar({ min: 0, max: 3_600_000, default: 2_000 }).meta({
    description: 'How often each replica claims deployments due for a reconcile; 0 turns the loop off.',
  }),
  PROVISIONER_RECONCILE_CLAIM_MS: integerVar({ min: 300, max: 600_000, default: 30_000 }).meta({
    description:
      "How long a replica's claim on a deployment holds unless renewed (its holder renews it every third " +
      "of this while it reconciles): a crashed replica's deployments are taken up by another within this.",
  }),
  PROVISIONER_RESYNC_INTERVAL_MS: integerVar({ min: 100, max: 86_400_000, default: 300_000 }).meta({
    description: 'How often a deployment that is as desired is observed again.',
  }),
  PROVISIONER_PROVIDER_TIMEOUT_MS: integerVar({ min: 50, max: 120_000, default: 10_000 }).meta({
    description: "How long one call to a provider's API may take.",
  }),
  PROVISIONER_BACKOFF_BASE_MS: integerVar({ min: 1, max: 600_000, default: 1_000 }).meta({
    description: 'The first delay of the exponential backoff of action polls and of retries after failures.',
  }),
  PROVISIONER_BACKOFF_MAX_MS: integerVar({ min: 1, max: 3_600_000, default: 60_000 }).meta({
    description: 'The longest delay of that backoff.',
  }),
  PROVISIONER_APP_HEALTH_TIMEOUT_MS: integerVar({ min: 50, max: 60_000, default: 5_000 }).meta({
    description: "How long an app's health URL may take to answer.",
  }),
  PROVISIONER_APP_CONNECT_TO: originVar()
    .optional()
    .meta({
      description:
        'Only for local stacks, whose service domains resolve nowhere: health checks are sent to this origin, ' +
        'with the domain as Host (like curl --connect-to), instead of to https://<domain>. Unset in production.',
    }),
  PROVISIONER_USAGE_REPORT_INTERVAL_MS: integerVar({ min: 0, max: 86_400_000, default: 60_000 }).meta({
    description: 'How often resource usage is totted up and reported; 0 turns reports off.',
  }),
});

export type ProvisionerConfig = z.output<typeof provisionerConfigSchema>;

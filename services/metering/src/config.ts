import { apiKeyCacheConfigShape, apiKeyConfigShape, authConfigShape } from '@onecommons/auth';
import { integerVar } from '@onecommons/config';
import { defineServiceConfig } from '@onecommons/service-kit';
import { type z } from 'zod';
import { planLimitsVar } from './entitlements/plan-limits.js';

/** Metering's environment: the platform's common variables, authentication, and late-event rules. */
export const meteringConfigSchema = defineServiceConfig({
  ...authConfigShape,
  ...apiKeyConfigShape,
  ...apiKeyCacheConfigShape,
  METERING_LATE_EVENT_GRACE_MINUTES: integerVar({ min: 0, max: 7 * 24 * 60, default: 60 }).meta({
    description:
      'How long after a period ends its late usage is still accepted (the ledger closes it after that; ' +
      "the ledger's METERING_LATE_EVENT_GRACE_MINUTES must be the same).",
  }),
  METERING_MAX_FUTURE_SECONDS: integerVar({ min: 0, max: 3_600, default: 300 }).meta({
    description: "How far in the future an event's `time` may be (clock skew of reporting services).",
  }),
  METERING_CORRECTION_WINDOW_MONTHS: integerVar({ min: 1, max: 1_200, default: 3 }).meta({
    description:
      "How many periods before the current one may still be corrected: with 3, in December September's " +
      "usage may, August's not. Older periods' partitions are detached (docs/runbooks/usage-archive.md), " +
      'their corrections refused.',
  }),
  METERING_PARTITION_MAINTENANCE_INTERVAL_MS: integerVar({
    min: 1_000,
    max: 86_400_000,
    default: 3_600_000,
  }).meta({
    description:
      "How often the leader makes the coming periods' partitions and detaches those past the window.",
  }),
  METERING_FREE_PLAN_LIMITS: planLimitsVar(
    'active_seconds:36000,requests:10000,storage_mb_hours:100000',
  ).meta({
    description:
      'What the free plan includes per period, per meter (`meter:limit,…`); premium has no limits.',
  }),
});

export type MeteringConfig = z.output<typeof meteringConfigSchema>;

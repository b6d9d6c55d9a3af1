import { z } from 'zod';

/** Per-meter usage limits of the free plan in one period; meters not listed are unlimited. */
export type PlanLimits = ReadonlyMap<string, bigint>;

const ENTRY = /^([a-z][a-z0-9_]{0,62}):([1-9]\d{0,17})$/;

/** `METERING_FREE_PLAN_LIMITS`: `meter:limit,meter:limit`, e.g. `active_seconds:36000,requests:10000`. */
export const planLimitsVar = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, context) => {
      const limits = new Map<string, bigint>();
      for (const entry of value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const match = ENTRY.exec(entry);
        if (!match) {
          context.addIssue({ code: 'custom', message: `"${entry}" is not meter:limit (a positive integer)` });
          return z.NEVER;
        }
        const [, meter, limit] = match as unknown as [string, string, string];
        if (limits.has(meter)) {
          context.addIssue({ code: 'custom', message: `meter ${meter} is listed twice` });
          return z.NEVER;
        }
        limits.set(meter, BigInt(limit));
      }
      return limits as PlanLimits;
    });

/** The thresholds (percent of a limit) whose crossing is announced, once each per period. */
export const QUOTA_THRESHOLDS = [80, 100] as const;

/** The thresholds `used` has reached for `limit`. */
export const thresholdsReached = (used: bigint, limit: bigint): number[] =>
  QUOTA_THRESHOLDS.filter((percent) => used * 100n >= limit * BigInt(percent));

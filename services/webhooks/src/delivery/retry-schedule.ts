/** What the schedule says after a failed attempt: try again after a delay, or give up. */
export type NextStep = { readonly retryInMs: number } | { readonly giveUp: true };

export interface RetryRules {
  /** Seconds before each attempt; entry 0 is the first attempt (normally 0: now). */
  readonly scheduleSeconds: readonly number[];
  readonly jitterPercent: number;
  readonly maxRetryAfterSeconds: number;
}

/**
 * After attempt `attemptsMade` failed: the schedule's next delay plus up to `jitterPercent` of it at random,
 * or the receiver's `Retry-After` (capped) when it asked for one; give up once the schedule is spent.
 */
export function nextStep(
  rules: RetryRules,
  attemptsMade: number,
  retryAfterSeconds: number | null,
  random: () => number = Math.random,
): NextStep {
  const scheduled = rules.scheduleSeconds[attemptsMade];
  if (scheduled === undefined) return { giveUp: true };
  if (retryAfterSeconds !== null)
    return { retryInMs: Math.min(retryAfterSeconds, rules.maxRetryAfterSeconds) * 1000 };
  const jitter = scheduled * (rules.jitterPercent / 100) * random();
  return { retryInMs: Math.round((scheduled + jitter) * 1000) };
}

/** `Retry-After` in seconds from either of its forms (delay-seconds or an HTTP date); null when absent or bad. */
export function retryAfterSeconds(header: string | null, now = new Date()): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d{1,9}$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

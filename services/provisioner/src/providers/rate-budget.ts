/**
 * A provider account's request budget, as its API's rate-limit headers last described it. Hetzner sends
 * `RateLimit-Limit/-Remaining/-Reset`, DigitalOcean `ratelimit-limit/-remaining/-reset`; both give the reset
 * as a Unix time. A 429 blocks the account until the reset (or `Retry-After`).
 */
export interface RateBudget {
  readonly limit: number | null;
  readonly remaining: number | null;
  readonly resetsAt: Date | null;
  readonly blockedUntil: Date | null;
}

export const UNKNOWN_BUDGET: RateBudget = {
  limit: null,
  remaining: null,
  resetsAt: null,
  blockedUntil: null,
};

/** When nothing says how long a 429 lasts. */
const DEFAULT_BLOCK_MS = 60_000;

export interface RateHeaders {
  get(name: string): string | null;
}

const integerHeader = (headers: RateHeaders, name: string): number | null => {
  const raw = headers.get(name);
  return raw !== null && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : null;
};

/** A reset given as a Unix time in seconds, or (as the IETF draft has it) as seconds from now. */
function instantOf(value: number | null, now: Date): Date | null {
  if (value === null) return null;
  return value > 1_000_000_000 ? new Date(value * 1_000) : new Date(now.getTime() + value * 1_000);
}

/** The budget after a response: its headers win; a 429 blocks until the reset. */
export function budgetAfterResponse(
  previous: RateBudget,
  status: number,
  headers: RateHeaders,
  now: Date,
): RateBudget {
  const limit = integerHeader(headers, 'ratelimit-limit') ?? previous.limit;
  const remaining = integerHeader(headers, 'ratelimit-remaining');
  const resetsAt = instantOf(integerHeader(headers, 'ratelimit-reset'), now);
  const next: RateBudget = {
    limit,
    remaining: remaining ?? (previous.remaining === null ? null : Math.max(0, previous.remaining - 1)),
    resetsAt: resetsAt ?? previous.resetsAt,
    blockedUntil: previous.blockedUntil && previous.blockedUntil > now ? previous.blockedUntil : null,
  };
  if (status !== 429) return next;
  const retryAfter = instantOf(integerHeader(headers, 'retry-after'), now);
  const until = [retryAfter, resetsAt]
    .filter((instant): instant is Date => instant !== null && instant > now)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  return { ...next, remaining: 0, blockedUntil: until ?? new Date(now.getTime() + DEFAULT_BLOCK_MS) };
}

/** How long to hold a call back: 0 when the budget allows one now. */
export function waitBeforeCallMs(budget: RateBudget, now: Date): number {
  if (budget.blockedUntil && budget.blockedUntil > now) return budget.blockedUntil.getTime() - now.getTime();
  if (budget.remaining !== null && budget.remaining <= 0 && budget.resetsAt && budget.resetsAt > now)
    return budget.resetsAt.getTime() - now.getTime();
  return 0;
}

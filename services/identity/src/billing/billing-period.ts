/**
 * Billing periods are calendar months in UTC, labelled `YYYY-MM`. A subscription's periods are aligned to
 * them: the first runs from the first of the month the subscriber subscribed in to the first of the next.
 */
export type BillingPeriod = string;

export function periodOf(instant: Date): BillingPeriod {
  return `${instant.getUTCFullYear()}-${String(instant.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The period a Unix time (seconds, as payment providers report them) falls in. */
export function periodOfUnixSeconds(seconds: number): BillingPeriod {
  return periodOf(new Date(seconds * 1_000));
}

export function startOfPeriodContaining(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth(), 1));
}

export function startOfNextPeriod(instant: Date): Date {
  return new Date(Date.UTC(instant.getUTCFullYear(), instant.getUTCMonth() + 1, 1));
}

/** `YYYY-MM` labels sort like the months they name. */
export function laterPeriod(a: BillingPeriod | null, b: BillingPeriod): BillingPeriod {
  return a !== null && a > b ? a : b;
}

import { z } from 'zod';

/**
 * Billing and allocation periods are calendar months in UTC, labelled `YYYY-MM`: labels sort in time
 * order as strings, which the services rely on.
 */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export const periodSchema = z.string().regex(PERIOD_PATTERN, { error: 'must be a period, YYYY-MM' });

export function periodOf(instant: Date): string {
  return `${instant.getUTCFullYear().toString().padStart(4, '0')}-${(instant.getUTCMonth() + 1).toString().padStart(2, '0')}`;
}

/** The first instant of a period (inclusive). */
export function periodStart(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, 1));
}

/** The first instant after a period (exclusive end). */
export function periodEnd(period: string): Date {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

export const nextPeriod = (period: string): string => periodOf(periodEnd(period));

/** The current period and the `ahead` after it: those whose rows may be written soon (partitions made ahead). */
export const periodsFromNow = (now: Date, ahead: number): string[] =>
  Array.from({ length: ahead + 1 }, (_, months) => shiftPeriod(periodOf(now), months));

/** The period `months` after this one (before it when negative). */
export function shiftPeriod(period: string, months: number): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return periodOf(new Date(Date.UTC(year, month - 1 + months, 1)));
}

/**
 * The instant a period stops taking late usage: its end plus a grace in minutes. Metering refuses usage for the
 * period from then on, and the ledger closes it no earlier (each with its own configured grace).
 */
export const lateUsageClosesAt = (period: string, graceMinutes: number): Date =>
  new Date(periodEnd(period).getTime() + graceMinutes * 60_000);

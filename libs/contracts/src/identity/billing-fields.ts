import { z } from 'zod';

/** A billing period: a calendar month in UTC, `YYYY-MM`. */
export const billingPeriodSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'must be a calendar month, YYYY-MM' });

/** ISO 4217 alphabetic code, upper-case. */
export const currencyCodeSchema = z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code' });

/** An amount in minor units as a decimal string (money is never a float on the wire either). */
export const amountMinorSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,18})$/, { error: 'must be a non-negative integer in minor units, as a string' });

export const paidPlanSchema = z.enum(['premium']);

import { z } from 'zod';

export const bpsSchema = z.number().int().min(0).max(10_000);

/** A non-negative integer weight as a decimal string (weights are bigint end to end). */
export const weightSchema = z
  .string()
  .regex(/^(0|[1-9]\d{0,30})$/, { error: 'must be a non-negative integer' });

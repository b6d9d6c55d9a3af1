import { z } from 'zod';

/**
 * A positive integer weight: a JSON number (safe integers only) or a decimal string of up to 18 digits
 * (it is stored as a Postgres bigint). Kept as a decimal string, never a float.
 */
export const positiveWeightSchema = z
  .union(
    [
      z
        .number()
        .int({ error: 'must be an integer' })
        .min(1, { error: 'must be positive' })
        .max(Number.MAX_SAFE_INTEGER),
      z.string().regex(/^[1-9]\d{0,17}$/, { error: 'must be a positive integer of at most 18 digits' }),
    ],
    { error: 'must be a positive integer (number or decimal string)' },
  )
  .transform(String);

export const bpsInputSchema = z
  .number({ error: 'must be a number of basis points' })
  .int({ error: 'must be an integer' })
  .min(0, { error: 'must be between 0 and 10000' })
  .max(10_000, { error: 'must be between 0 and 10000' });

import { z } from 'zod';

/** A numeric amount as text (a `::text` column, or an amount inside a json column), kept as text. */
export const wholeNumberText = z.string().regex(/^-?\d+$/, { error: 'expected a whole number as text' });

/** A recorded allocation (of a close or an adjustment) in a json column: `toAllocationJson`'s shape. */
export const allocationJsonColumn = z.object({
  period: z.string(),
  total: wholeNumberText,
  allocations: z.array(z.object({ account: z.string(), amount: wholeNumberText })),
  merkleRoot: z.string(),
});

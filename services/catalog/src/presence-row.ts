import { z } from 'zod';

/** A row of `SELECT 1 …`: only whether one comes back is read. */
export const presenceRow = z.object({});

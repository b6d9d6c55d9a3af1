import { z } from 'zod';

/** A row of a `SELECT 1 …` or `RETURNING 1`: only whether there is one is read. */
export const presentRow = z.object({});

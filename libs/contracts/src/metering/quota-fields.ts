import { z } from 'zod';
import { periodSchema } from '../periods.js';

/** What a quota event says: whose limit, on which meter, in which period, and how far it is used. */
export const quotaCrossingSchema = z.object({
  subscriberId: z.uuid(),
  period: periodSchema,
  meter: z.string(),
  plan: z.string(),
  /** The limit in the meter's unit, as a decimal string. */
  limit: z.string(),
  /** Usage when the crossing was noticed (it may already be past the threshold). */
  used: z.string(),
  thresholdPercent: z.number().int(),
  crossedAt: z.iso.datetime(),
});

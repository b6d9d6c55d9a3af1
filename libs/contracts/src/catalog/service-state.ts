import { z } from 'zod';
import { bpsSchema } from './fields.js';

/** A service's full state, as both its creation and update events carry it. */
export const serviceStateSchema = z.object({
  serviceId: z.uuid(),
  operatorId: z.uuid(),
  appId: z.uuid(),
  projectId: z.uuid().nullable(),
  type: z.string(),
  domain: z.string(),
  providerBps: bpsSchema.nullable(),
  developerBps: bpsSchema.nullable(),
  status: z.enum(['active', 'suspended', 'retired']),
});

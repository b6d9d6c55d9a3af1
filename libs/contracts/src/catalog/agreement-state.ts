import { z } from 'zod';
import { bpsSchema } from './fields.js';

export const agreementStateSchema = z.object({
  agreementId: z.uuid(),
  projectId: z.uuid(),
  operatorId: z.uuid(),
  developerBps: bpsSchema,
  binding: z.boolean(),
});

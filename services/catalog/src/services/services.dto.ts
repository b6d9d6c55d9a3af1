import { z } from 'zod';
import { bpsInputSchema } from '../weights.js';

/** A lower-case DNS name with at least two labels (RFC 1123), where subscribers reach the service. */
const domainSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: 'must be a domain name, e.g. wiki.example.org',
  });

export const SERVICE_STATUSES = ['active', 'suspended', 'retired'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const createServiceSchema = z.strictObject({
  appId: z.uuid({ error: 'must be an app id' }),
  /** The developer project the service's developer share goes to; null: the operator keeps it. */
  projectId: z.uuid({ error: 'must be a project id' }).nullable().default(null),
  type: z.string({ error: 'must be a service type name' }).max(63),
  domain: domainSchema,
  providerBps: bpsInputSchema.nullable().default(null),
  developerBps: bpsInputSchema.nullable().default(null),
});
export type CreateServiceDto = z.output<typeof createServiceSchema>;

export const updateServiceSchema = z
  .strictObject({
    status: z.enum(SERVICE_STATUSES, { error: `must be one of ${SERVICE_STATUSES.join(', ')}` }).optional(),
    providerBps: bpsInputSchema.nullable().optional(),
    developerBps: bpsInputSchema.nullable().optional(),
  })
  .refine((input) => Object.keys(input).length > 0, { error: 'must change something' });
export type UpdateServiceDto = z.output<typeof updateServiceSchema>;

export interface ServiceDto {
  readonly id: string;
  readonly operatorId: string;
  readonly appId: string;
  readonly projectId: string | null;
  readonly type: string;
  readonly domain: string;
  readonly providerBps: number | null;
  readonly developerBps: number | null;
  /** Overrides that lower another party's share wait for the next period (docs/trust-rules.md); null when none wait. */
  readonly scheduledTerms: {
    readonly providerBps: number | null;
    readonly developerBps: number | null;
    readonly effectiveFrom: string;
  } | null;
  readonly status: ServiceStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

import { z } from 'zod';
import { appSpecSchema, volumeSpecsSchema } from '../apps/app-spec.js';
import { type DeploymentRecord } from './deployment-record.js';

export const createDeploymentSchema = z.strictObject({
  serviceId: z.uuid({ error: 'must be a service id' }),
  providerAccountId: z.uuid({ error: 'must be a provider account id' }),
  region: z.string({ error: 'must be a region of the provider account' }).min(1).max(63),
  size: z.string({ error: 'must be a size of the provider account' }).min(1).max(63),
  /** What the server runs, on the service's domain. */
  app: appSpecSchema,
  volumes: volumeSpecsSchema.default([]),
});
export type CreateDeploymentDto = z.output<typeof createDeploymentSchema>;

/** A change to a running deployment: a new app rolls it onto a new server (keeping its volumes), a size resizes it. */
export const updateDeploymentSchema = z
  .strictObject({
    app: appSpecSchema.optional(),
    size: z.string({ error: 'must be a size of the provider account' }).min(1).max(63).optional(),
  })
  .refine((change) => change.app !== undefined || change.size !== undefined, {
    error: 'give app or size',
  });
export type UpdateDeploymentDto = z.output<typeof updateDeploymentSchema>;

/** A deployment as the API shows it: its record's fields, the provider's grouped, dates as ISO 8601. */
export interface DeploymentDto extends Pick<
  DeploymentRecord,
  | 'id'
  | 'serviceId'
  | 'operatorId'
  | 'desired'
  | 'phase'
  | 'conditions'
  | 'serverName'
  | 'app'
  | 'volumes'
  | 'generation'
  | 'domain'
> {
  readonly provider: { readonly id: string; readonly accountId: string } & Pick<
    DeploymentRecord,
    'api' | 'region' | 'size'
  >;
  readonly serverId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

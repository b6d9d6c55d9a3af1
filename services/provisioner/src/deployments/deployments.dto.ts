import { z } from 'zod';
import { type DeploymentRecord } from './deployment-record.js';

export const createDeploymentSchema = z.strictObject({
  serviceId: z.uuid({ error: 'must be a service id' }),
  providerAccountId: z.uuid({ error: 'must be a provider account id' }),
  region: z.string({ error: 'must be a region of the provider account' }).min(1).max(63),
  size: z.string({ error: 'must be a size of the provider account' }).min(1).max(63),
});
export type CreateDeploymentDto = z.output<typeof createDeploymentSchema>;

/** A deployment as the API shows it: its record's fields, the provider's grouped, dates as ISO 8601. */
export interface DeploymentDto extends Pick<
  DeploymentRecord,
  'id' | 'serviceId' | 'operatorId' | 'desired' | 'phase' | 'conditions' | 'serverName'
> {
  readonly provider: { readonly id: string; readonly accountId: string } & Pick<
    DeploymentRecord,
    'api' | 'region' | 'size'
  >;
  readonly serverId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

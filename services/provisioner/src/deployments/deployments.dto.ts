import { type DeploymentPhase } from '@onecommons/contracts';
import { z } from 'zod';
import { type Condition } from '../reconcile/conditions.js';
import { type DesiredState } from './deployment-record.js';

export const createDeploymentSchema = z.strictObject({
  serviceId: z.uuid({ error: 'must be a service id' }),
  providerAccountId: z.uuid({ error: 'must be a provider account id' }),
  region: z.string({ error: 'must be a region of the provider account' }).min(1).max(63),
  size: z.string({ error: 'must be a size of the provider account' }).min(1).max(63),
});
export type CreateDeploymentDto = z.output<typeof createDeploymentSchema>;

export interface DeploymentDto {
  readonly id: string;
  readonly serviceId: string;
  readonly operatorId: string;
  readonly provider: {
    readonly id: string;
    readonly accountId: string;
    readonly api: string;
    readonly region: string;
    readonly size: string;
  };
  readonly desired: DesiredState;
  readonly phase: DeploymentPhase;
  readonly conditions: readonly Condition[];
  readonly serverName: string;
  readonly serverId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

import { type DeploymentPhase } from '@onecommons/contracts';
import { type Condition } from '../reconcile/conditions.js';

export type DesiredState = 'present' | 'absent';

/** A deployment as the reconcile loop and the API read it from Postgres. */
export interface DeploymentRecord {
  readonly id: string;
  readonly serviceId: string;
  readonly operatorId: string;
  readonly providerAccountId: string;
  readonly providerId: string;
  readonly api: string;
  readonly region: string;
  readonly size: string;
  readonly desired: DesiredState;
  readonly phase: DeploymentPhase;
  readonly conditions: readonly Condition[];
  readonly serverName: string;
  readonly resourceId: string | null;
  readonly attempt: number;
  readonly nextReconcileAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

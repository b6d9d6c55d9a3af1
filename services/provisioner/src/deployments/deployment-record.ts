import { type DeploymentPhase } from '@onecommons/contracts';
import { type AppSpec, type VolumeSpec } from '../apps/app-spec.js';
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
  /** What runs on the server; null for a bare server (deployments made before apps). */
  readonly app: AppSpec | null;
  readonly volumes: readonly VolumeSpec[];
  /** Which rollout of the app: each new app is a new generation, run on a server of its own. */
  readonly generation: number;
  /** The service's domain, as catalog last said. */
  readonly domain: string;
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

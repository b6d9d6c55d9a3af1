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

export interface DeploymentRow {
  id: string;
  service_id: string;
  operator_id: string;
  provider_account_id: string;
  provider_id: string;
  api: string;
  region: string;
  size: string;
  desired: DesiredState;
  phase: DeploymentPhase;
  conditions: Condition[];
  server_name: string;
  resource_id: string | null;
  attempt: number;
  next_reconcile_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const DEPLOYMENT_COLUMNS = `d.id, d.service_id, d.operator_id, d.provider_account_id, d.provider_id, a.api, d.region,
  d.size, d.desired, d.phase, d.conditions, d.server_name, d.resource_id, d.attempt, d.next_reconcile_at, d.created_at,
  d.updated_at`;
export const DEPLOYMENT_FROM = `deployments d JOIN provider_accounts a ON a.id = d.provider_account_id`;

export function toDeploymentRecord(row: DeploymentRow): DeploymentRecord {
  return {
    id: row.id,
    serviceId: row.service_id,
    operatorId: row.operator_id,
    providerAccountId: row.provider_account_id,
    providerId: row.provider_id,
    api: row.api,
    region: row.region,
    size: row.size,
    desired: row.desired,
    phase: row.phase,
    conditions: row.conditions,
    serverName: row.server_name,
    resourceId: row.resource_id,
    attempt: row.attempt,
    nextReconcileAt: row.next_reconcile_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

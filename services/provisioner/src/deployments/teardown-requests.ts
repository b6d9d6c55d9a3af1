import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { DeploymentStatusWriter } from '../reconcile/deployment-status-writer.js';
import {
  DEPLOYMENT_COLUMNS,
  DEPLOYMENT_FROM,
  type DeploymentRecord,
  type DeploymentRow,
  toDeploymentRecord,
} from './deployment-record.js';

/** Turns a deployment's desired state to absent; the reconcile loop does the deleting. */
@Injectable()
export class TeardownRequests {
  constructor(private readonly status: DeploymentStatusWriter) {}

  async request(manager: EntityManager, deployment: DeploymentRecord): Promise<DeploymentRecord> {
    if (deployment.desired === 'absent') return deployment;
    await manager.query(`UPDATE deployments SET desired = 'absent' WHERE id = $1`, [deployment.id]);
    return this.status.applyWith(
      manager,
      { ...deployment, desired: 'absent' },
      {
        phase: deployment.phase === 'Absent' ? 'Absent' : 'Deleting',
        conditions: [
          {
            type: 'Synced',
            status: 'False',
            reason: 'TeardownRequested',
            message: 'Deleting what this deployment created.',
          },
        ],
        attempt: 0,
        nextReconcileAt: new Date(),
      },
      new Date(),
    );
  }

  async requestForService(manager: EntityManager, serviceId: string): Promise<void> {
    const rows = (await manager.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.service_id = $1 AND d.desired = 'present' FOR UPDATE OF d`,
      [serviceId],
    )) as DeploymentRow[];
    for (const row of rows) await this.request(manager, toDeploymentRecord(row));
  }
}

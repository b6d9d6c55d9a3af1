import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { DeploymentStatusWriter } from '../reconcile/deployment-status-writer.js';
import { type DeploymentRecord } from './deployment-record.js';
import { DeploymentsRepository } from './deployments.repository.js';

/** Turns a deployment's desired state to absent; the reconcile loop does the deleting. */
@Injectable()
export class TeardownRequests {
  constructor(
    private readonly deployments: DeploymentsRepository,
    private readonly status: DeploymentStatusWriter,
  ) {}

  async request(manager: EntityManager, deployment: DeploymentRecord): Promise<DeploymentRecord> {
    if (deployment.desired === 'absent') return deployment;
    await this.deployments.setDesiredAbsent(manager, deployment.id);
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
    const deployments = await this.deployments.lockPresentOfService(manager, serviceId);
    for (const deployment of deployments) await this.request(manager, deployment);
  }
}

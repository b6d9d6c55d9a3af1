import { Injectable } from '@nestjs/common';
import { createEvent, DeploymentStatusChangedV1, type DeploymentPhase } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { type DeploymentRecord } from '../deployments/deployment-record.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { PROVISIONER_SOURCE } from '../provisioner-events.js';
import { conditionOf, type ConditionUpdate, withConditions } from './conditions.js';

export interface StatusChange {
  readonly phase?: DeploymentPhase;
  readonly conditions?: readonly ConditionUpdate[];
  /** Undefined leaves it; null clears it. */
  readonly resourceId?: string | null;
  readonly attempt?: number;
  /** Null: nothing more to do until the desired state changes. */
  readonly nextReconcileAt: Date | null;
  /** Opens or closes the deployment's uptime interval (what resource usage is computed from). */
  readonly uptime?: 'running' | 'stopped';
}

/**
 * Writes a deployment's new status, its uptime and (when phase or readiness changed) its status event in one
 * transaction, so what the API shows, what usage is computed from and what others hear always agree.
 */
@Injectable()
export class DeploymentStatusWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async apply(
    deployment: DeploymentRecord,
    change: StatusChange,
    now = new Date(),
  ): Promise<DeploymentRecord> {
    return this.dataSource.transaction((manager) => this.applyWith(manager, deployment, change, now));
  }

  async applyWith(
    manager: EntityManager,
    deployment: DeploymentRecord,
    change: StatusChange,
    now: Date,
  ): Promise<DeploymentRecord> {
    const phase = change.phase ?? deployment.phase;
    const conditions = withConditions(deployment.conditions, change.conditions ?? [], now);
    const resourceId = change.resourceId === undefined ? deployment.resourceId : change.resourceId;
    const attempt = change.attempt ?? deployment.attempt;
    await this.deployments.writeStatus(manager, deployment.id, {
      phase,
      conditions,
      resourceId,
      attempt,
      nextReconcileAt: change.nextReconcileAt,
    });
    if (change.uptime === 'running') await this.deployments.openUptime(manager, deployment.id, now);
    if (change.uptime === 'stopped') await this.deployments.closeUptime(manager, deployment.id, now);
    const before = conditionOf(deployment.conditions, 'Ready');
    const ready = conditionOf(conditions, 'Ready');
    const next = {
      ...deployment,
      phase,
      conditions,
      resourceId,
      attempt,
      nextReconcileAt: change.nextReconcileAt,
      updatedAt: now,
    };
    if (phase !== deployment.phase || before?.status !== ready?.status || before?.reason !== ready?.reason)
      await this.announce(manager, next, now);
    return next;
  }

  /** Appends the deployment's status event to the outbox, in the caller's transaction. */
  async announce(manager: EntityManager, deployment: DeploymentRecord, now: Date): Promise<void> {
    const ready = conditionOf(deployment.conditions, 'Ready');
    await this.outbox.append(manager, [
      createEvent(
        DeploymentStatusChangedV1,
        {
          deploymentId: deployment.id,
          serviceId: deployment.serviceId,
          operatorId: deployment.operatorId,
          providerId: deployment.providerId,
          providerAccountId: deployment.providerAccountId,
          region: deployment.region,
          size: deployment.size,
          desired: deployment.desired,
          phase: deployment.phase,
          ready: ready?.status ?? 'Unknown',
          reason: ready?.reason ?? 'Pending',
          changedAt: now.toISOString(),
        },
        PROVISIONER_SOURCE,
      ),
    ]);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { type DeploymentRecord } from '../deployments/deployment-record.js';
import { type ProviderCallError } from '../providers/provider-api.js';
import { RateBudgetsRepository } from '../providers/rate-budgets.repository.js';
import { DeploymentStatusWriter, type StatusChange } from './deployment-status-writer.js';
import { type ReconcileResult } from './reconcile-result.js';
import { retryAt } from './retry-schedule.js';

/**
 * What a failed provider call means for a deployment: a spent rate budget waits for its reset, an unknown
 * outcome (timeout, 5xx) is `Synced: Unknown` and retried with backoff, a refusal is a `False` with its reason.
 */
@Injectable()
export class ProviderFailureHandler {
  constructor(
    private readonly dataSource: DataSource,
    private readonly budgets: RateBudgetsRepository,
    private readonly status: DeploymentStatusWriter,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
  ) {}

  async handle(deployment: DeploymentRecord, error: ProviderCallError): Promise<ReconcileResult> {
    const change = (status: StatusChange) => this.status.apply(deployment, status);
    const attempt = deployment.attempt + 1;
    switch (error.failure) {
      case 'held_back':
      case 'rate_limited':
        await change({
          conditions: [{ type: 'Synced', status: 'False', reason: 'RateLimited', message: error.message }],
          nextReconcileAt: error.retryAt ?? (await this.blockedUntil(deployment)) ?? this.after(attempt),
        });
        return 'waiting';
      case 'timeout':
      case 'unavailable':
        await change({
          conditions: [
            { type: 'Synced', status: 'Unknown', reason: 'ProviderUnavailable', message: error.message },
          ],
          attempt,
          nextReconcileAt: this.after(attempt),
        });
        return 'retrying';
      case 'locked':
        await change({
          conditions: [{ type: 'Synced', status: 'False', reason: 'ProviderLocked', message: error.message }],
          attempt,
          nextReconcileAt: this.after(attempt),
        });
        return 'waiting';
      default: {
        const reason = {
          conflict: 'NameConflict',
          unauthorized: 'ProviderUnauthorized',
          not_found: 'ProviderNotFound',
          rejected: 'ProviderRejected',
        }[error.failure];
        await change({
          ...(deployment.desired === 'present' && deployment.phase !== 'Running'
            ? { phase: 'Failed' as const }
            : {}),
          conditions: [
            ...(deployment.desired === 'present' && deployment.phase !== 'Running'
              ? [{ type: 'Ready' as const, status: 'False' as const, reason, message: error.message }]
              : []),
            { type: 'Synced', status: 'False', reason, message: error.message },
          ],
          attempt,
          nextReconcileAt: this.after(attempt),
        });
        return 'failed';
      }
    }
  }

  private async blockedUntil(deployment: DeploymentRecord): Promise<Date | undefined> {
    const until = await this.budgets.blockedUntil(this.dataSource.manager, deployment.providerAccountId);
    return until && until > new Date() ? until : undefined;
  }

  private after(attempt: number): Date {
    return retryAt(attempt, this.config);
  }
}

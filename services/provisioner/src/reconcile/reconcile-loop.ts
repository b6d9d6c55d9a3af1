import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DEPLOYMENT_PHASES } from '@onecommons/contracts';
import { PeriodicTask, RunMode, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { DeploymentsRepository } from '../deployments/deployments.repository.js';
import { deploymentsByPhase, reconcileTotal } from '../metrics/provisioner-metrics.js';
import { DeploymentClaims } from './deployment-claims.js';
import { type ReconcileResult } from './reconcile-result.js';
import { Reconciler } from './reconciler.js';
import { retryAt } from './retry-schedule.js';

/** Deployments one replica reconciles per tick at most, so a tick ends and the gauge is refreshed. */
const BATCH = 20;

/**
 * Every replica claims due deployments on a timer (`DeploymentClaims`: one row at a time, skipping the rows other
 * replicas hold) and reconciles each, so replicas share the work and one deployment is never reconciled twice at
 * once. Postgres holds all state (due times, intents, claims), so nothing is lost with Redis or a process.
 */
@Injectable()
export class ReconcileLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReconcileLoop');
  private readonly claims: DeploymentClaims;
  private readonly task = new PeriodicTask('ReconcileLoop', () => this.tick(), 0);
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly reconciler: Reconciler,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
    private readonly runMode: RunMode,
  ) {
    this.claims = new DeploymentClaims(
      dataSource,
      deployments,
      config.PROVISIONER_RECONCILE_CLAIM_MS,
      this.logger,
    );
  }

  onApplicationBootstrap(): void {
    // Only a serving process: a replay or a command must never touch a cloud. Every replica, not the leader only.
    if (!this.runMode.serves || this.config.PROVISIONER_RECONCILE_INTERVAL_MS === 0) return;
    this.task.start(this.config.PROVISIONER_RECONCILE_INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.task.stop();
  }

  /** Reconciles the deployments that are due now and no other replica holds; returns how many passes ran. */
  async tick(): Promise<number> {
    let passes = 0;
    try {
      while (passes < BATCH && !this.stopping) {
        const claim = await this.claims.claimDue();
        if (!claim) break;
        await this.claims.whileHeld(claim, () => this.reconcileOnce(claim.deploymentId));
        passes++;
      }
      await this.refreshGauge();
    } catch (error) {
      this.logger.warn(`reconcile tick failed: ${String(error)}`);
    }
    return passes;
  }

  private async reconcileOnce(deploymentId: string): Promise<ReconcileResult> {
    try {
      const result = await this.reconciler.reconcile(deploymentId);
      reconcileTotal.inc({ result });
      return result;
    } catch (error) {
      reconcileTotal.inc({ result: 'error' });
      this.logger.error(`reconcile of ${deploymentId} failed: ${String(error)}`);
      await this.deployments.scheduleRetry(this.dataSource.manager, deploymentId, retryAt(1, this.config));
      return 'failed';
    }
  }

  private async refreshGauge(): Promise<void> {
    const counts = await this.deployments.countByPhase(this.dataSource.manager);
    for (const phase of DEPLOYMENT_PHASES)
      deploymentsByPhase.set({ phase }, counts.find((count) => count.phase === phase)?.deployments ?? 0);
  }
}

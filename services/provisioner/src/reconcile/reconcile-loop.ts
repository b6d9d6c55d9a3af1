import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DEPLOYMENT_PHASES } from '@onecommons/contracts';
import { BACKBONE_OPTIONS, type BackboneOptions } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
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
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reconciler: Reconciler,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
    @Inject(BACKBONE_OPTIONS) private readonly backbone: BackboneOptions,
  ) {
    this.claims = new DeploymentClaims(dataSource, config.PROVISIONER_RECONCILE_CLAIM_MS, this.logger);
  }

  onApplicationBootstrap(): void {
    // A replay process only rebuilds projections: it must never touch a cloud.
    if (!this.backbone.runRelay || this.config.PROVISIONER_RECONCILE_INTERVAL_MS === 0) return;
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private schedule(): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.current = this.tick().then(
        () => this.schedule(),
        () => this.schedule(),
      );
    }, this.config.PROVISIONER_RECONCILE_INTERVAL_MS);
    this.timer.unref();
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
      await this.dataSource.query(
        `UPDATE deployments SET attempt = attempt + 1, next_reconcile_at = $2 WHERE id = $1 AND next_reconcile_at IS NOT NULL`,
        [deploymentId, retryAt(1, this.config)],
      );
      return 'failed';
    }
  }

  private async refreshGauge(): Promise<void> {
    const rows = (await this.dataSource.query(
      `SELECT phase, count(*)::int AS n FROM deployments GROUP BY phase`,
    )) as { phase: string; n: number }[];
    for (const phase of DEPLOYMENT_PHASES)
      deploymentsByPhase.set({ phase }, rows.find((row) => row.phase === phase)?.n ?? 0);
  }
}

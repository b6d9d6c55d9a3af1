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
import { type ReconcileResult } from './reconcile-result.js';
import { Reconciler } from './reconciler.js';
import { retryAt } from './retry-schedule.js';

const BATCH = 20;

/**
 * Every replica looks for due deployments on a timer and reconciles each under a Postgres advisory lock, so
 * one deployment is never reconciled twice at once and a crashed replica's lock dies with its connection.
 * Postgres holds all state (due times, intents), so nothing is lost with Redis or a process.
 */
@Injectable()
export class ReconcileLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReconcileLoop');
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopping = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly reconciler: Reconciler,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
    @Inject(BACKBONE_OPTIONS) private readonly backbone: BackboneOptions,
  ) {}

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

  /** Reconciles the deployments that are due now; returns how many passes ran. */
  async tick(): Promise<number> {
    let passes = 0;
    try {
      const due = (await this.dataSource.query(
        `SELECT id FROM deployments WHERE next_reconcile_at <= now() ORDER BY next_reconcile_at LIMIT $1`,
        [BATCH],
      )) as { id: string }[];
      for (const { id } of due) {
        if (this.stopping) break;
        if (await this.reconcileLocked(id)) passes++;
      }
      await this.refreshGauge();
    } catch (error) {
      this.logger.warn(`reconcile tick failed: ${String(error)}`);
    }
    return passes;
  }

  /** One pass over one deployment if no other replica is on it and it is still due; false when skipped. */
  async reconcileLocked(deploymentId: string, { onlyIfDue = true } = {}): Promise<ReconcileResult | false> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended('provisioner.deployment:' || $1, 0)) AS locked`,
        [deploymentId],
      )) as [{ locked: boolean }];
      if (!locked) return false;
      try {
        if (onlyIfDue) {
          const due = (await runner.query(
            `SELECT 1 FROM deployments WHERE id = $1 AND next_reconcile_at <= now()`,
            [deploymentId],
          )) as unknown[];
          if (due.length === 0) return false;
        }
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
      } finally {
        await runner.query(
          `SELECT pg_advisory_unlock(hashtextextended('provisioner.deployment:' || $1, 0))`,
          [deploymentId],
        );
      }
    } finally {
      await runner.release();
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

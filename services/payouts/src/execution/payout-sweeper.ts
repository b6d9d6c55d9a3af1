import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicTask, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PayoutQueue } from './payout-queue.js';

const BATCH = 500;

/**
 * Postgres is the truth about payouts, Redis only wakes workers: every interval, open payouts that are due
 * and whose job Redis no longer has (a flush, a restart, a crash before queueing) are queued again.
 */
@Injectable()
export class PayoutSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PayoutSweeper');
  private readonly task = new PeriodicTask('PayoutSweeper', () => this.requeueLost(), 0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: PayoutQueue,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.queue.serving) this.task.start(this.config.PAYOUTS_SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /** Queues due open payouts that have no job; returns how many. */
  sweep(): Promise<number> {
    return this.task.runNow();
  }

  private async requeueLost(): Promise<number> {
    const due = (await this.dataSource.query(
      `SELECT id FROM payouts
        WHERE state IN ('scheduled', 'submitting') AND next_attempt_at <= now()
          AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at LIMIT $1`,
      [BATCH],
    )) as { id: string }[];
    let requeued = 0;
    for (const { id } of due) {
      if (await this.queue.hasJob(id)) continue;
      await this.queue.enqueue(id);
      requeued++;
    }
    if (requeued > 0) this.logger.log(`queued ${requeued} due payouts that had no job`);
    return requeued;
  }
}

import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LostJobSweeper, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PayoutQueue } from './payout-queue.js';

const BATCH = 500;

/** Queues again the open payouts that are due and whose jobs Redis lost (Postgres holds the truth). */
@Injectable()
export class PayoutSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: LostJobSweeper;

  constructor(
    dataSource: DataSource,
    queue: PayoutQueue,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
    private readonly leader: ServiceLeader,
  ) {
    this.sweeper = new LostJobSweeper('PayoutSweeper', queue, async () =>
      (
        (await dataSource.query(
          `SELECT id FROM payouts
            WHERE state IN ('scheduled', 'submitting') AND next_attempt_at <= now()
              AND (lease_until IS NULL OR lease_until < now())
            ORDER BY next_attempt_at LIMIT $1`,
          [BATCH],
        )) as { id: string }[]
      ).map((row) => row.id),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start(this.config.PAYOUTS_SWEEP_INTERVAL_MS, this.leader);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  /** Queues due open payouts that have no job; returns how many. */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }
}

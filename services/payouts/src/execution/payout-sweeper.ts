import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LostJobSweeper, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PayoutQueue } from './payout-queue.js';
import { PayoutsRepository } from './payouts.repository.js';

const BATCH = 500;

/** Queues again the open payouts that are due and whose jobs Redis lost (Postgres holds the truth). */
@Injectable()
export class PayoutSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: LostJobSweeper;

  constructor(
    dataSource: DataSource,
    payouts: PayoutsRepository,
    queue: PayoutQueue,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
    private readonly leader: ServiceLeader,
  ) {
    this.sweeper = new LostJobSweeper('PayoutSweeper', queue, () =>
      payouts.dueIds(dataSource.manager, BATCH),
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

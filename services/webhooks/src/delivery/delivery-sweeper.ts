import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LostJobSweeper, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryQueue } from './delivery-queue.js';

const BATCH = 500;

/** Queues again the due deliveries whose jobs Redis lost (Postgres holds the truth about deliveries). */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sweeper: LostJobSweeper;

  constructor(
    dataSource: DataSource,
    deliveries: DeliveriesRepository,
    queue: DeliveryQueue,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
    private readonly leader: ServiceLeader,
  ) {
    this.sweeper = new LostJobSweeper('DeliverySweeper', queue, () =>
      deliveries.dueUnleased(dataSource.manager, BATCH),
    );
  }

  onApplicationBootstrap(): void {
    this.sweeper.start(this.config.WEBHOOKS_SWEEP_INTERVAL_MS, this.leader);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  /** Queues due deliveries that have no job; returns how many. */
  sweep(): Promise<number> {
    return this.sweeper.sweep();
  }
}

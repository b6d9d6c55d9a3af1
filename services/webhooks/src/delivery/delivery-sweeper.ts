import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicTask, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { DeliveryQueue } from './delivery-queue.js';

const BATCH = 500;

/**
 * Postgres is the truth about deliveries, Redis only wakes workers: every interval, due deliveries whose
 * job Redis no longer has (a flush, a restart without persistence, a crash before queueing) are queued
 * again.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliverySweeper');
  private readonly task = new PeriodicTask('DeliverySweeper', () => this.requeueLost(), 0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.queue.serving) this.task.start(this.config.WEBHOOKS_SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    this.task.stop();
  }

  /** Queues due deliveries that have no job; returns how many. */
  sweep(): Promise<number> {
    return this.task.runNow();
  }

  private async requeueLost(): Promise<number> {
    const due = (await this.dataSource.query(
      `SELECT id FROM deliveries
        WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
        ORDER BY next_attempt_at LIMIT $1`,
      [BATCH],
    )) as { id: string }[];
    let requeued = 0;
    for (const { id } of due) {
      if (await this.queue.hasJob(id)) continue;
      await this.queue.enqueue(id);
      requeued++;
    }
    if (requeued > 0) this.logger.log(`queued ${requeued} due deliveries that had no job`);
    return requeued;
  }
}

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { DeliveryQueue } from './delivery-queue.js';

const BATCH = 500;

/**
 * Postgres is the truth about deliveries, Redis only wakes workers: every interval, due deliveries whose
 * job Redis no longer has (a flush, a restart without persistence, a crash before queueing) are queued
 * again. A plain timer, not a BullMQ repeatable job, so it survives the very flush it repairs.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DeliverySweeper');
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queue: DeliveryQueue,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.queue.serving) return;
    this.timer = setInterval(() => void this.sweep(), this.config.WEBHOOKS_SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Queues due deliveries that have no job; returns how many. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
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
    } catch (error) {
      this.logger.warn(`sweep failed: ${String(error)}`);
      return 0;
    } finally {
      this.running = false;
    }
  }
}

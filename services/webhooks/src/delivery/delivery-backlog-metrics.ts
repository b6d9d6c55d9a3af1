import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { gauge, refreshOnScrape } from '@onecommons/telemetry';
import { DataSource } from 'typeorm';
import { DeliveriesRepository } from './deliveries.repository.js';

/**
 * The deliveries waiting for a worker, read from Postgres (the truth: Redis may have lost their jobs) at each
 * scrape: how many attempts are due and not being made, and how long the oldest has been due (0 when none).
 */
@Injectable()
export class DeliveryBacklogMetrics implements OnModuleInit {
  private readonly logger = new Logger('DeliveryBacklogMetrics');
  private readonly due = gauge(
    'onecommons_webhook_deliveries_due',
    'Webhook deliveries whose attempt is due and not being made',
  );
  private readonly oldestDue = gauge(
    'onecommons_webhook_delivery_oldest_due_seconds',
    'Seconds since the longest-waiting due webhook delivery became due; 0 when none waits',
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
  ) {}

  onModuleInit(): void {
    refreshOnScrape(
      [this.due, this.oldestDue],
      () => this.refresh(),
      (error) => this.logger.warn(`delivery backlog not read: ${String(error)}`),
    );
  }

  private async refresh(): Promise<void> {
    const backlog = await this.deliveries.backlog(this.dataSource.manager);
    this.due.set(backlog.due);
    this.oldestDue.set(backlog.oldestSeconds);
  }
}

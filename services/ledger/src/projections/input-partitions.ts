import {
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { periodsFromNow } from '@onecommons/contracts';
import { PeriodicTask, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { UsageRepository } from './usage.repository.js';

/** Periods whose input partitions exist ahead of the current one (a mint or usage slightly early). */
const PERIODS_AHEAD = 2;
const INTERVAL_MS = 3_600_000;

/**
 * A close's inputs (`usage_quantities`, `subscriber_tokens`) are partitioned by period (migration 1765700000000):
 * the current period's partitions and the next two's are made at boot and hourly by the leader, through the
 * migration's SECURITY DEFINER function. A row of a period without one goes to the default partition.
 */
@Injectable()
export class InputPartitions implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task = new PeriodicTask('InputPartitions', () => this.ensureComing(new Date()), 0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly leader: ServiceLeader,
    private readonly usage: UsageRepository,
  ) {}

  /** Before any consumer starts (they start at bootstrap): a row of the current period must not reach the default
   * partition first, which would keep the period from getting its own. */
  async onModuleInit(): Promise<void> {
    await this.ensureComing(new Date());
  }

  onApplicationBootstrap(): void {
    this.task.start(INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Makes the partitions the coming periods lack; returns how many tables were made. */
  async ensureComing(now: Date): Promise<number> {
    return this.usage.ensureInputPartitions(this.dataSource.manager, periodsFromNow(now, PERIODS_AHEAD));
  }
}

import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { periodOf, periodsFromNow, shiftPeriod } from '@onecommons/contracts';
import { PeriodicTask, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { type MeteringConfig } from '../config.js';
import { UsagePartitionsRepository } from './usage-partitions.repository.js';

/** Partitions made ahead of the current period: usage may arrive a little early (clock skew). */
const PERIODS_AHEAD = 2;

/** The oldest period whose usage may still be corrected: `windowMonths` before the current one. */
export const oldestCorrectablePeriod = (now: Date, windowMonths: number): string =>
  shiftPeriod(periodOf(now), -windowMonths);

/** The current period and those just after it: what must have a partition before usage for it arrives. */
export const comingPeriods = (now: Date): string[] => periodsFromNow(now, PERIODS_AHEAD);

/**
 * Usage is partitioned by period (migration 1765600000000): the partitions of the coming periods are made at
 * boot and by the leader every `METERING_PARTITION_MAINTENANCE_INTERVAL_MS`, which also detaches the partitions
 * older than the correction window.
 */
@Injectable()
export class UsagePartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UsagePartitions');
  private readonly task = new PeriodicTask('UsagePartitions', () => this.maintain(new Date()), null);

  constructor(
    private readonly partitions: UsagePartitionsRepository,
    private readonly leader: ServiceLeader,
    @Inject(SERVICE_CONFIG) private readonly config: MeteringConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensure(comingPeriods(new Date()));
    this.task.start(this.config.METERING_PARTITION_MAINTENANCE_INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  oldestCorrectable(now: Date): string {
    return oldestCorrectablePeriod(now, this.config.METERING_CORRECTION_WINDOW_MONTHS);
  }

  /** Makes the partitions the periods lack; returns how many tables were made. */
  async ensure(periods: readonly string[]): Promise<number> {
    return this.partitions.make([...new Set(periods)].sort());
  }

  /** The coming periods' partitions, and the detaching of those wholly before the correction window. */
  async maintain(now: Date): Promise<{ made: number; detached: string[] }> {
    const made = await this.ensure(comingPeriods(now));
    const detached = await this.partitions.detachBefore(this.oldestCorrectable(now));
    if (made > 0 || detached.length > 0)
      this.logger.log(`made ${made} partitions; detached ${detached.join(', ') || 'none'}`);
    return { made, detached };
  }
}

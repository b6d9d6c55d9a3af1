import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { periodOf, periodsFromNow, shiftPeriod } from '@onecommons/contracts';
import { PeriodicTask, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import pg from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { type MeteringConfig } from '../config.js';

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
 * older than the correction window. Both through the migration's SECURITY DEFINER functions: the service's role
 * runs no DDL of its own.
 */
@Injectable()
export class UsagePartitions implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('UsagePartitions');
  private readonly task = new PeriodicTask('UsagePartitions', () => this.maintain(new Date()), null);

  constructor(
    private readonly dataSource: DataSource,
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
    const [row] = (await this.dataSource.query(`SELECT ensure_usage_partitions($1::text[]) AS made`, [
      [...new Set(periods)].sort(),
    ])) as { made: number }[];
    return row?.made ?? 0;
  }

  /** The coming periods' partitions, and the detaching of those wholly before the correction window. */
  async maintain(now: Date): Promise<{ made: number; detached: string[] }> {
    const made = await this.ensure(comingPeriods(now));
    const detached = (
      (await this.dataSource.query(`SELECT detach_usage_partitions($1) AS name`, [
        this.oldestCorrectable(now),
      ])) as { name: string }[]
    ).map((row) => row.name);
    if (made > 0 || detached.length > 0)
      this.logger.log(`made ${made} partitions; detached ${detached.join(', ') || 'none'}`);
    return { made, detached };
  }

  /** Whether the period's usage is archived: its partitions detached, past the correction window. */
  async isArchived(period: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM usage_archive
        WHERE parent = 'usage_aggregates' AND coalesce(period_from, '') <= $1 AND $1 < period_to`,
      [period],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * The period of an event found in a detached partition still in the schema (an operator drops them once
   * dumped), or null. Its full identity compared, as in the attached partitions.
   */
  async archivedPeriodOf(
    manager: EntityManager,
    identity: readonly [digest: Buffer, serviceId: string, source: string, id: string],
  ): Promise<string | null> {
    const tables = (await manager.query(
      `SELECT table_name FROM usage_archive WHERE parent = 'usage_events' AND to_regclass(table_name) IS NOT NULL
        ORDER BY period_to DESC`,
    )) as { table_name: string }[];
    for (const { table_name } of tables) {
      const [found] = (await manager.query(
        `SELECT period FROM ${pg.escapeIdentifier(table_name)}
          WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4`,
        [...identity],
      )) as { period: string }[];
      if (found) return found.period;
    }
    return null;
  }
}

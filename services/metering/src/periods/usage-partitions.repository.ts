import { Injectable } from '@nestjs/common';
import { queryOne, queryRows, queryExists } from '@onecommons/persistence';
import { DataSource } from 'typeorm';
import { z } from 'zod';

const madeRow = z.object({ made: z.number().int() });

const nameRow = z.object({ name: z.string() });

/**
 * The usage partitions, through the SECURITY DEFINER functions of migration 1765600000000 (the service's role
 * runs no DDL of its own), and usage_archive, the list of those detached.
 */
@Injectable()
export class UsagePartitionsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Makes the partitions the periods (distinct, in order) lack; how many tables were made. */
  async make(periods: readonly string[]): Promise<number> {
    const row = await queryOne(
      this.dataSource,
      {
        name: 'usagePartitions.make',
        row: madeRow,
        sql: `SELECT ensure_usage_partitions($1::text[]) AS made`,
      },
      [periods],
    );
    return row.made;
  }

  /** Detaches the partitions wholly before `oldestKept`; the tables detached. */
  async detachBefore(oldestKept: string): Promise<string[]> {
    const rows = await queryRows(
      this.dataSource,
      {
        name: 'usagePartitions.detachBefore',
        row: nameRow,
        sql: `SELECT detach_usage_partitions($1) AS name`,
      },
      [oldestKept],
    );
    return rows.map((row) => row.name);
  }

  /** Whether the period's aggregates are in a detached partition. */
  async isArchived(period: string): Promise<boolean> {
    return queryExists(
      this.dataSource,
      {
        name: 'usagePartitions.isArchived',
        sql: `SELECT 1 FROM usage_archive
               WHERE parent = 'usage_aggregates' AND coalesce(period_from, '') <= $1 AND $1 < period_to`,
      },
      [period],
    );
  }
}

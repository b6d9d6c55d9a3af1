import { Injectable } from '@nestjs/common';
import { type DataOf, type UsagePeriodSealedV1 } from '@onecommons/contracts';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

/**
 * Rows each period's count is spread over: a transaction adds to its connection's row, so concurrent ingests
 * rarely wait for each other; the seal sums them.
 */
const SHARDS = 8;

export type SealReason = DataOf<typeof UsagePeriodSealedV1>['reason'];

export const SEAL_REASONS = ['close_requested', 'period_closed'] as const satisfies readonly SealReason[];

export interface PeriodSeal {
  /** The UsageRecorded announced for the period: its watermark. */
  readonly announcements: bigint;
  readonly reason: SealReason;
  readonly sealedAt: Date;
}

const sealRow = z
  .object({
    announcements: bigintText,
    reason: z.enum(SEAL_REASONS),
    sealed_at: z.date(),
  })
  .transform((row): PeriodSeal => ({
    announcements: row.announcements,
    reason: row.reason,
    sealedAt: row.sealed_at,
  }));

const countRow = z.object({ count: bigintText });

/** The periods feature's tables: period_announcements (each period's count, in shards) and period_seals. */
@Injectable()
export class PeriodsRepository {
  /** Adds `counts[i]` announcements to `periods[i]` (in period order, like every writer). */
  async addAnnouncements(
    manager: EntityManager,
    periods: readonly string[],
    counts: readonly number[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO period_announcements (period, shard, announcements)
       SELECT period, pg_backend_pid() % ${SHARDS}, count FROM unnest($1::text[], $2::bigint[]) AS t(period, count)
        ORDER BY period
       ON CONFLICT (period, shard)
         DO UPDATE SET announcements = period_announcements.announcements + EXCLUDED.announcements`,
      [periods, counts],
    );
  }

  async announcementCount(manager: EntityManager, period: string): Promise<bigint> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periods.announcementCount',
        row: countRow,
        sql: `SELECT coalesce(sum(announcements), 0)::text AS count FROM period_announcements WHERE period = $1`,
      },
      [period],
    );
    return row?.count ?? 0n;
  }

  /** Null while the period is open. */
  async sealOf(manager: EntityManager, period: string): Promise<PeriodSeal | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periods.sealOf',
        row: sealRow,
        sql: `SELECT announcements::text AS announcements, reason, sealed_at FROM period_seals WHERE period = $1`,
      },
      [period],
    );
    return row ?? null;
  }

  async addSeal(manager: EntityManager, period: string, seal: PeriodSeal): Promise<void> {
    await manager.query(
      `INSERT INTO period_seals (period, announcements, reason, sealed_at) VALUES ($1, $2, $3, $4)`,
      [period, seal.announcements.toString(), seal.reason, seal.sealedAt],
    );
  }
}

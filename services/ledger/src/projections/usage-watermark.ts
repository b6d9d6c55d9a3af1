import { Injectable, Logger } from '@nestjs/common';
import { type CloudEvent, type DataOf, UsagePeriodSealedV1 } from '@onecommons/contracts';
import { type EventBatchContext, type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';

/** What the ledger knows of a period's usage announcements: metering's watermark (once sealed) and what it applied. */
export interface UsageWatermark {
  /** UsageRecorded events metering published for the period before it sealed it; null until the seal arrives. */
  readonly announced: bigint | null;
  /** UsageRecorded events of the period the ledger has applied. */
  readonly applied: bigint;
  readonly sealedAt: Date | null;
}

/**
 * Orders applying a period's usage with closing it: every apply holds the period's lock shared until its
 * transaction commits, a close holds it exclusively. So between a close's check of the counts and its snapshot of
 * the usage, no usage of the period is half-applied (counted but not yet visible, or the reverse).
 */
export async function holdPeriodUsage(
  manager: Pick<EntityManager, 'query'>,
  period: string,
  mode: 'apply' | 'close',
): Promise<void> {
  const lock = mode === 'apply' ? 'pg_advisory_xact_lock_shared' : 'pg_advisory_xact_lock';
  await manager.query(`SELECT ${lock}(${PERIOD_USAGE_LOCK_KEY})`, [period]);
}

/** The lock's key (SQL, the period as `$1`): per schema, so ledgers sharing a database never wait on each other. */
export const PERIOD_USAGE_LOCK_KEY = `hashtextextended('onecommons:ledger:usage:' || current_schema() || ':' || $1, 0)`;

/** Counts the applied UsageRecorded events of each period, on the counter rows of their Kafka partition. */
export async function countAppliedUsage(
  { manager, partition }: Pick<EventBatchContext, 'manager' | 'partition'>,
  appliedPerPeriod: ReadonlyMap<string, number>,
): Promise<void> {
  const periods = [...appliedPerPeriod.keys()].sort();
  if (periods.length === 0) return;
  await manager.query(
    `INSERT INTO usage_applied_counts (period, kafka_partition, applied)
     SELECT period, $2, applied FROM unnest($1::text[], $3::bigint[]) AS counted(period, applied)
     ON CONFLICT (period, kafka_partition) DO UPDATE SET applied = usage_applied_counts.applied + EXCLUDED.applied`,
    [periods, partition, periods.map((period) => appliedPerPeriod.get(period) ?? 0)],
  );
}

export async function readUsageWatermark(manager: EntityManager, period: string): Promise<UsageWatermark> {
  const [row] = (await manager.query(
    `SELECT (SELECT announcements::text FROM usage_watermarks WHERE period = $1) AS announced,
            (SELECT sealed_at FROM usage_watermarks WHERE period = $1) AS sealed_at,
            (SELECT coalesce(sum(applied), 0)::text FROM usage_applied_counts WHERE period = $1) AS applied`,
    [period],
  )) as { announced: string | null; sealed_at: Date | null; applied: string }[];
  return {
    announced: row?.announced ? BigInt(row.announced) : null,
    applied: BigInt(row?.applied ?? '0'),
    sealedAt: row?.sealed_at ?? null,
  };
}

/**
 * Metering's watermark per period (UsagePeriodSealed). Metering may send it again (the ledger asked again, or it
 * sealed on its own); a seal is final, so a different count is metering's error: the greatest is kept (never
 * closing on fewer announcements than metering made) and it is logged.
 */
@Injectable()
export class UsageWatermarkProjection {
  private readonly logger = new Logger('UsageWatermarkProjection');

  @OnEvent(UsagePeriodSealedV1)
  async onPeriodSealed(
    event: CloudEvent<DataOf<typeof UsagePeriodSealedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const { period, announcements, reason, sealedAt } = event.data;
    const [before] = (await manager.query(
      'SELECT announcements::text AS announcements FROM usage_watermarks WHERE period = $1 FOR UPDATE',
      [period],
    )) as { announcements: string }[];
    if (before && before.announcements !== announcements)
      this.logger.error(
        `metering sealed ${period} again with ${announcements} announcements, ${before.announcements} before: a seal is final; keeping the greater`,
      );
    await manager.query(
      `INSERT INTO usage_watermarks (period, announcements, reason, sealed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period) DO UPDATE SET announcements = GREATEST(usage_watermarks.announcements, EXCLUDED.announcements)`,
      [period, announcements, reason, sealedAt],
    );
  }
}

import { Injectable, Logger } from '@nestjs/common';
import { type CloudEvent, type DataOf, UsagePeriodSealedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';
import { UsageRepository } from './usage.repository.js';

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

/**
 * Metering's watermark per period (UsagePeriodSealed). Metering may send it again (the ledger asked again, or it
 * sealed on its own); a seal is final, so a different count is metering's error: the greatest is kept (never
 * closing on fewer announcements than metering made) and it is logged.
 */
@Injectable()
export class UsageWatermarkProjection {
  private readonly logger = new Logger('UsageWatermarkProjection');

  constructor(private readonly usage: UsageRepository) {}

  @OnEvent(UsagePeriodSealedV1)
  async onPeriodSealed(
    event: CloudEvent<DataOf<typeof UsagePeriodSealedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const { period, announcements } = event.data;
    // Both are decimal text without leading zeros (numeric(20, 0) and the event's count): equal as numbers or not.
    const before = await this.usage.lockSealedAnnouncements(manager, period);
    if (before !== null && before !== BigInt(announcements))
      this.logger.error(
        `metering sealed ${period} again with ${announcements} announcements, ${before} before: a seal is final; keeping the greater`,
      );
    await this.usage.recordSeal(manager, event.data);
  }
}

import { Injectable } from '@nestjs/common';
import { announcedPeriods, type CloudEvent } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';

import { type UsageRecorded } from './usage-recorded-events.js';

/**
 * Rows each period's count is spread over: a transaction adds to its connection's row, so concurrent ingests
 * rarely wait for each other; the seal sums them.
 */
const SHARDS = 8;

/**
 * The one way metering publishes UsageRecorded: each is counted for every period it names in the transaction that
 * appends it to the outbox, so the count a seal reads is exactly what was announced for the period (its watermark).
 * Callers hold the period's seal lock shared (`lockPeriodsForUsage`).
 */
@Injectable()
export class UsageAnnouncements {
  constructor(private readonly outbox: OutboxWriter) {}

  /** Appends the UsageRecorded (counted) and, in the same outbox call, events that go with them. */
  async append(
    manager: EntityManager,
    recorded: readonly UsageRecorded[],
    alongside: readonly CloudEvent[] = [],
  ): Promise<void> {
    const perPeriod = new Map<string, number>();
    for (const event of recorded)
      for (const period of announcedPeriods(event.data))
        perPeriod.set(period, (perPeriod.get(period) ?? 0) + 1);
    const periods = [...perPeriod.keys()].sort();
    if (periods.length > 0)
      await manager.query(
        `INSERT INTO period_announcements (period, shard, announcements)
         SELECT period, pg_backend_pid() % ${SHARDS}, count FROM unnest($1::text[], $2::bigint[]) AS t(period, count)
          ORDER BY period
         ON CONFLICT (period, shard)
           DO UPDATE SET announcements = period_announcements.announcements + EXCLUDED.announcements`,
        [periods, periods.map((period) => perPeriod.get(period))],
      );
    await this.outbox.append(manager, [...recorded, ...alongside]);
  }

  /** The period's count; final once read under the period's exclusive seal lock. */
  async countOf(manager: EntityManager, period: string): Promise<bigint> {
    const [row] = (await manager.query(
      `SELECT coalesce(sum(announcements), 0)::text AS count FROM period_announcements WHERE period = $1`,
      [period],
    )) as { count: string }[];
    return BigInt(row?.count ?? '0');
  }
}

import { Injectable } from '@nestjs/common';
import { bigintText, queryRows, queryExists } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type QuotaCrossing, type WatchedUsage } from './quota-crossings.js';

/** What a subscriber used of one meter in a period, all services together. */
export interface MeterUsage extends WatchedUsage {
  readonly meter: string;
  readonly used: bigint;
}

/** A crossing claimed: announced once, by whoever claims it. */
export type ClaimedCrossing = Pick<QuotaCrossing, 'period' | 'subscriberId' | 'meter' | 'thresholdPercent'>;

const planRow = z
  .object({ subscriber_id: z.string(), plan: z.string() })
  .transform((row) => ({ subscriberId: row.subscriber_id, plan: row.plan }));

const meterUsedRow = z.object({ meter: z.string(), used: bigintText });

const meterUsageRow = z
  .object({ period: z.string(), subscriber_id: z.string(), meter: z.string(), used: bigintText })
  .transform((row): MeterUsage => ({
    period: row.period,
    subscriberId: row.subscriber_id,
    meter: row.meter,
    used: row.used,
  }));

const claimedRow = z
  .object({
    period: z.string(),
    subscriber_id: z.string(),
    meter: z.string(),
    threshold_percent: z.number().int(),
  })
  .transform((row): ClaimedCrossing => ({
    period: row.period,
    subscriberId: row.subscriber_id,
    meter: row.meter,
    thresholdPercent: row.threshold_percent,
  }));

/** The entitlements feature's SQL: the subscribers' plans, their usage per meter, and quota_notices. */
@Injectable()
export class EntitlementsRepository {
  /** The plans of those of the subscribers metering has heard of. */
  async plansOf(manager: EntityManager, subscriberIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await queryRows(
      manager,
      {
        name: 'entitlements.plansOf',
        row: planRow,
        sql: 'SELECT subscriber_id, plan FROM subscribers WHERE subscriber_id = ANY($1::uuid[])',
      },
      [[...new Set(subscriberIds)]],
    );
    return new Map(rows.map((row) => [row.subscriberId, row.plan]));
  }

  /** Per meter: the subscriber's usage in the period, of every service. */
  async usedPerMeter(
    manager: EntityManager,
    subscriberId: string,
    period: string,
  ): Promise<Map<string, bigint>> {
    const rows = await queryRows(
      manager,
      {
        name: 'entitlements.usedPerMeter',
        row: meterUsedRow,
        sql: `SELECT meter, sum(quantity)::text AS used FROM usage_aggregates
               WHERE period = $1 AND subscriber_id = $2 GROUP BY meter`,
      },
      [period, subscriberId],
    );
    return new Map(rows.map((row) => [row.meter, row.used]));
  }

  /** `usedPerMeter` of each watched (subscriber, period), in one statement. */
  async usedPerMeterOf(manager: EntityManager, watched: readonly WatchedUsage[]): Promise<MeterUsage[]> {
    return queryRows(
      manager,
      {
        name: 'entitlements.usedPerMeterOf',
        row: meterUsageRow,
        sql: `SELECT a.period, a.subscriber_id, a.meter, sum(a.quantity)::text AS used
                FROM usage_aggregates a
                JOIN unnest($1::text[], $2::uuid[]) AS watched(period, subscriber_id) USING (period, subscriber_id)
               GROUP BY a.period, a.subscriber_id, a.meter`,
      },
      [watched.map((pair) => pair.period), watched.map((pair) => pair.subscriberId)],
    );
  }

  /** Whether the service has usage of the subscriber in any of the periods (one index lookup each). */
  async hasUsageOf(
    manager: EntityManager,
    subscriberId: string,
    serviceId: string,
    periods: readonly string[],
  ): Promise<boolean> {
    return queryExists(
      manager,
      {
        name: 'entitlements.hasUsageOf',
        sql: `SELECT 1 FROM usage_aggregates WHERE period = ANY($1::text[]) AND subscriber_id = $2 AND service_id = $3
               LIMIT 1`,
      },
      [periods, subscriberId, serviceId],
    );
  }

  /** Records the crossings not recorded yet (concurrent claims of one wait for each other); those it recorded. */
  async claim(manager: EntityManager, crossings: readonly QuotaCrossing[]): Promise<ClaimedCrossing[]> {
    return queryRows(
      manager,
      {
        name: 'entitlements.claim',
        row: claimedRow,
        sql: `INSERT INTO quota_notices (period, subscriber_id, meter, threshold_percent, used, quota)
              SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::int[], $5::numeric[], $6::bigint[])
              ON CONFLICT DO NOTHING RETURNING period, subscriber_id, meter, threshold_percent`,
      },
      [
        crossings.map((crossing) => crossing.period),
        crossings.map((crossing) => crossing.subscriberId),
        crossings.map((crossing) => crossing.meter),
        crossings.map((crossing) => crossing.thresholdPercent),
        crossings.map((crossing) => crossing.used.toString()),
        crossings.map((crossing) => crossing.limit.toString()),
      ],
    );
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { periodOf, periodStart } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type MeteringConfig } from '../config.js';
import { thresholdsReached } from './plan-limits.js';

export interface MeterEntitlementDto {
  readonly meter: string;
  /** Null: unlimited on this plan. */
  readonly limit: string | null;
  readonly used: string;
  readonly remaining: string | null;
  readonly exceeded: boolean;
}

export interface EntitlementsDto {
  readonly subscriber: string;
  readonly period: string;
  readonly plan: string;
  readonly meters: readonly MeterEntitlementDto[];
}

/** What a subscriber's plan allows in a period against what they used, per meter. */
@Injectable()
export class Entitlements {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: MeteringConfig,
  ) {}

  async of(subscriberId: string, period = periodOf(new Date())): Promise<EntitlementsDto> {
    const plan = await this.planOf(this.dataSource.manager, subscriberId);
    const used = await this.usedPerMeter(this.dataSource.manager, subscriberId, period);
    const limits = this.limitsOf(plan);
    const meters = [...new Set([...limits.keys(), ...used.keys()])].sort();
    return {
      subscriber: subscriberId,
      period,
      plan,
      meters: meters.map((meter) => {
        const limit = limits.get(meter);
        const amount = used.get(meter) ?? 0n;
        return {
          meter,
          limit: limit?.toString() ?? null,
          used: amount.toString(),
          remaining: limit === undefined ? null : (limit > amount ? limit - amount : 0n).toString(),
          exceeded: limit !== undefined && amount >= limit,
        };
      }),
    };
  }

  /**
   * Whether the service reported usage for the subscriber in `period` or the one before (so that a service
   * still knows its users at the start of a month). The key's period, subscriber and service make it one
   * index lookup.
   */
  async isUserOfService(subscriberId: string, serviceId: string | null, period: string): Promise<boolean> {
    if (serviceId === null) return false;
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM usage_aggregates WHERE period = ANY($1::text[]) AND subscriber_id = $2 AND service_id = $3
        LIMIT 1`,
      [[period, previousPeriod(period)], subscriberId, serviceId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Limits crossed (meter, threshold) in the period that have not been announced yet, claimed in `manager`'s transaction. */
  async newCrossings(
    manager: EntityManager,
    subscriberId: string,
    period: string,
  ): Promise<{ meter: string; plan: string; limit: bigint; used: bigint; thresholdPercent: number }[]> {
    const plan = await this.planOf(manager, subscriberId);
    const limits = this.limitsOf(plan);
    if (limits.size === 0) return [];
    const used = await this.usedPerMeter(manager, subscriberId, period);
    const crossings = [];
    for (const [meter, limit] of limits) {
      const amount = used.get(meter) ?? 0n;
      for (const thresholdPercent of thresholdsReached(amount, limit)) {
        const [claimed] = (await manager.query(
          `INSERT INTO quota_notices (period, subscriber_id, meter, threshold_percent, used, quota)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING 1`,
          [period, subscriberId, meter, thresholdPercent, amount.toString(), limit.toString()],
        )) as unknown[];
        if (claimed) crossings.push({ meter, plan, limit, used: amount, thresholdPercent });
      }
    }
    return crossings;
  }

  private limitsOf(plan: string): ReadonlyMap<string, bigint> {
    return plan === 'free' ? this.config.METERING_FREE_PLAN_LIMITS : new Map();
  }

  /** Subscribers metering has not heard of yet are on the free plan, like every new account. */
  private async planOf(manager: EntityManager, subscriberId: string): Promise<string> {
    const [row] = (await manager.query('SELECT plan FROM subscribers WHERE subscriber_id = $1', [
      subscriberId,
    ])) as {
      plan: string;
    }[];
    return row?.plan ?? 'free';
  }

  private async usedPerMeter(
    manager: EntityManager,
    subscriberId: string,
    period: string,
  ): Promise<Map<string, bigint>> {
    const rows = (await manager.query(
      `SELECT meter, sum(quantity)::text AS used FROM usage_aggregates
        WHERE period = $1 AND subscriber_id = $2 GROUP BY meter`,
      [period, subscriberId],
    )) as { meter: string; used: string }[];
    return new Map(rows.map((row) => [row.meter, BigInt(row.used)]));
  }
}

const previousPeriod = (period: string): string => periodOf(new Date(periodStart(period).getTime() - 1));

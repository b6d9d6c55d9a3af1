import { Inject, Injectable } from '@nestjs/common';
import { periodOf, periodStart } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type MeteringConfig } from '../config.js';
import { EntitlementsRepository } from './entitlements.repository.js';
import { type QuotaCrossing, thresholdsCrossed, usageKey, type WatchedUsage } from './quota-crossings.js';

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
    private readonly entitlements: EntitlementsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: MeteringConfig,
  ) {}

  async of(subscriberId: string, period = periodOf(new Date())): Promise<EntitlementsDto> {
    const plan = await this.planOf(this.dataSource.manager, subscriberId);
    const used = await this.entitlements.usedPerMeter(this.dataSource.manager, subscriberId, period);
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
    return this.entitlements.hasUsageOf(this.dataSource.manager, subscriberId, serviceId, [
      period,
      previousPeriod(period),
    ]);
  }

  /**
   * Limits crossed (meter, threshold) by the watched usage that have not been announced yet, claimed in
   * `manager`'s transaction: plans, usage and claims in one statement each, however many pairs are watched.
   */
  async newCrossings(manager: EntityManager, watched: readonly WatchedUsage[]): Promise<QuotaCrossing[]> {
    if (watched.length === 0) return [];
    const planOf = await this.plansOf(
      manager,
      watched.map((pair) => pair.subscriberId),
    );
    const limited = watched.filter((pair) => this.limitsOf(planOf(pair.subscriberId)).size > 0);
    if (limited.length === 0) return [];
    const used = await this.usedPerMeterOf(manager, limited);
    const reached = thresholdsCrossed(limited, planOf, (plan) => this.limitsOf(plan), used);
    if (reached.length === 0) return [];
    const claimed = await this.entitlements.claim(manager, reached);
    const keyOf = (period: string, subscriberId: string, meter: string, threshold: number) =>
      `${period} ${subscriberId} ${meter} ${threshold}`;
    const fresh = new Set(
      claimed.map((notice) =>
        keyOf(notice.period, notice.subscriberId, notice.meter, notice.thresholdPercent),
      ),
    );
    return reached.filter((crossing) =>
      fresh.has(keyOf(crossing.period, crossing.subscriberId, crossing.meter, crossing.thresholdPercent)),
    );
  }

  private limitsOf(plan: string): ReadonlyMap<string, bigint> {
    return plan === 'free' ? this.config.METERING_FREE_PLAN_LIMITS : new Map();
  }

  private async planOf(manager: EntityManager, subscriberId: string): Promise<string> {
    return (await this.plansOf(manager, [subscriberId]))(subscriberId);
  }

  /** Subscribers metering has not heard of yet are on the free plan, like every new account. */
  private async plansOf(
    manager: EntityManager,
    subscriberIds: readonly string[],
  ): Promise<(subscriberId: string) => string> {
    const plans = await this.entitlements.plansOf(manager, subscriberIds);
    return (subscriberId) => plans.get(subscriberId) ?? 'free';
  }

  private async usedPerMeterOf(
    manager: EntityManager,
    watched: readonly WatchedUsage[],
  ): Promise<Map<string, Map<string, bigint>>> {
    const used = new Map<string, Map<string, bigint>>();
    for (const usage of await this.entitlements.usedPerMeterOf(manager, watched)) {
      const key = usageKey(usage);
      const meters = used.get(key) ?? new Map<string, bigint>();
      meters.set(usage.meter, usage.used);
      used.set(key, meters);
    }
    return used;
  }
}

const previousPeriod = (period: string): string => periodOf(new Date(periodStart(period).getTime() - 1));

import { type PlanLimits, thresholdsReached } from './plan-limits.js';

/** A subscriber's usage in a period, to check against their plan. */
export interface WatchedUsage {
  readonly subscriberId: string;
  readonly period: string;
}

export interface QuotaCrossing extends WatchedUsage {
  readonly meter: string;
  readonly plan: string;
  readonly limit: bigint;
  readonly used: bigint;
  readonly thresholdPercent: number;
}

/** Each (subscriber, period) once, in the order first seen: a chunk of usage is checked once per pair. */
export function watchedOnce(usage: readonly WatchedUsage[]): WatchedUsage[] {
  const seen = new Map<string, WatchedUsage>();
  for (const { subscriberId, period } of usage) {
    const key = `${period} ${subscriberId}`;
    if (!seen.has(key)) seen.set(key, { subscriberId, period });
  }
  return [...seen.values()];
}

export const usageKey = ({ period, subscriberId }: WatchedUsage): string => `${period} ${subscriberId}`;

/**
 * Every threshold the watched usage has reached on its plan's limits (announced or not: claiming each notice
 * once is the database's job), per pair in order, meters in the plan's order, thresholds ascending.
 */
export function thresholdsCrossed(
  watched: readonly WatchedUsage[],
  planOf: (subscriberId: string) => string,
  limitsOf: (plan: string) => PlanLimits,
  usedPerMeter: ReadonlyMap<string, ReadonlyMap<string, bigint>>,
): QuotaCrossing[] {
  return watched.flatMap((pair) => {
    const plan = planOf(pair.subscriberId);
    const used = usedPerMeter.get(usageKey(pair));
    return [...limitsOf(plan)].flatMap(([meter, limit]) => {
      const amount = used?.get(meter) ?? 0n;
      return thresholdsReached(amount, limit).map((thresholdPercent) => ({
        ...pair,
        meter,
        plan,
        limit,
        used: amount,
        thresholdPercent,
      }));
    });
  });
}

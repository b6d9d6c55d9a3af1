import { announcedPeriods, type DataOf, type UsageRecordedV2 } from '@onecommons/contracts';

type UsageRecorded = DataOf<typeof UsageRecordedV2>;

/** One key of `usage_quantities` and what to add to it. */
export interface UsageDelta {
  readonly period: string;
  readonly subscriberId: string;
  readonly serviceId: string;
  readonly meter: string;
  readonly quantity: bigint;
}

export interface FoldedUsage {
  /** UsageRecorded events per period they name (as metering counts them for its watermark). */
  readonly announcementsPerPeriod: ReadonlyMap<string, number>;
  /** The summed deltas, one per key, in key order (the order rows are locked in). */
  readonly deltas: readonly UsageDelta[];
}

/** Folds a run of UsageRecorded events into one delta per key and a count per period, in integers. */
export function foldUsage(events: readonly UsageRecorded[]): FoldedUsage {
  const announcementsPerPeriod = new Map<string, number>();
  const sums = new Map<string, UsageDelta>();
  for (const event of events)
    for (const period of announcedPeriods(event))
      announcementsPerPeriod.set(period, (announcementsPerPeriod.get(period) ?? 0) + 1);
  for (const { period, subscriberId, usage } of events.flatMap((event) => event.subscribers)) {
    for (const { serviceId, meter, quantity } of usage) {
      const key = [period, subscriberId, serviceId, meter].join('\u0000');
      const sum = sums.get(key);
      sums.set(key, {
        period,
        subscriberId,
        serviceId,
        meter,
        quantity: (sum?.quantity ?? 0n) + BigInt(quantity),
      });
    }
  }
  const deltas = [...sums.entries()]
    .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
    .map(([, delta]) => delta);
  return { announcementsPerPeriod, deltas };
}

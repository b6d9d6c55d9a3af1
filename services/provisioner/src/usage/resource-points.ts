/**
 * Resource points measure what a provider gives a service, the same way for every provider: one point per
 * MiB of memory per second of uptime, a vCPU counting as 1 GiB. Prices play no part, so a provider cannot
 * raise its share of a service's provider part by asking more.
 */
export const VCPU_WEIGHT_MIB = 1_024n;

export interface SizeResources {
  readonly vcpus: number;
  readonly memoryMb: number;
}

export function pointsPerSecond(size: SizeResources): bigint {
  return BigInt(size.vcpus) * VCPU_WEIGHT_MIB + BigInt(size.memoryMb);
}

export interface UptimeInterval {
  readonly startedAt: Date;
  /** Null while the server still runs. */
  readonly endedAt: Date | null;
}

/** Whole seconds of the intervals inside [from, to), counting an open interval up to `now`. */
export function uptimeSecondsWithin(
  intervals: readonly UptimeInterval[],
  from: Date,
  to: Date,
  now: Date,
): bigint {
  let total = 0n;
  for (const interval of intervals) {
    const start = Math.max(interval.startedAt.getTime(), from.getTime());
    const end = Math.min((interval.endedAt ?? now).getTime(), to.getTime(), now.getTime());
    if (end > start) total += BigInt(Math.floor((end - start) / 1_000));
  }
  return total;
}

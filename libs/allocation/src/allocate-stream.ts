import { type AllocationContext, PeriodAllocator } from './allocate-period.js';
import { type UsageRow } from './allocation-input.js';
import { type PeriodAllocation } from './allocation-output.js';
import {
  dropServices,
  ServiceSubscriberCounts,
  type ServiceWeights,
  UsageWeigher,
} from './subscriber-weights.js';

/** One paying subscriber as a stream delivers it: its tokens and every usage row it has in the period. */
export interface SubscriberUsage {
  readonly tokens: bigint;
  readonly usage: Iterable<Pick<UsageRow, 'service' | 'meter' | 'quantity'>>;
}

export interface StreamOptions {
  /**
   * The services a policy's minimum of subscribers drops, as a cheaper reckoning expects them (the ledger counts
   * them in SQL). With it one pass suffices: the pass counts as it goes, and only if its count finds other thin
   * services does a second pass run with those. So a wrong expectation costs time, never a different result.
   */
  readonly expectedThinServices?: ReadonlySet<string>;
}

/**
 * `allocatePeriod` over subscribers read one at a time (each once, with all its rows): equal to it on the same
 * input. `subscribers()` opens a fresh pass; a policy with a minimum of subscribers per service needs the thin
 * services before splitting anyone: one pass counts them, the next splits (or one pass with
 * `expectedThinServices`, checked by its own count).
 */
export async function allocateSubscriberStream(
  context: AllocationContext,
  subscribers: () => AsyncIterable<SubscriberUsage>,
  { expectedThinServices }: StreamOptions = {},
): Promise<PeriodAllocation> {
  const weigher = new UsageWeigher(context);
  const weigh = (subscriber: SubscriberUsage): ServiceWeights => {
    const weights: ServiceWeights = new Map();
    for (const row of subscriber.usage) weigher.addRow(weights, row);
    weigher.applyCap(weights);
    return weights;
  };
  const minimum = context.policy.minSubscribersPerService;
  /** One pass that splits every paying subscriber without the `thin` services, counting every service's users. */
  const splitPass = async (thin: ReadonlySet<string>) => {
    const allocator = new PeriodAllocator(context);
    const counts = new ServiceSubscriberCounts();
    for await (const subscriber of subscribers()) {
      if (subscriber.tokens <= 0n) continue;
      const weights = weigh(subscriber);
      if (minimum !== null) counts.count(weights);
      dropServices(weights, thin);
      allocator.add(subscriber.tokens, weights);
    }
    return { allocator, thin: minimum === null ? new Set<string>() : counts.thinServices(minimum) };
  };
  if (minimum === null) return (await splitPass(new Set())).allocator.finish();
  let thin = expectedThinServices;
  if (thin === undefined) {
    const counts = new ServiceSubscriberCounts();
    for await (const subscriber of subscribers()) if (subscriber.tokens > 0n) counts.count(weigh(subscriber));
    thin = counts.thinServices(minimum);
  }
  const pass = await splitPass(thin);
  if (sameSet(pass.thin, thin)) return pass.allocator.finish();
  return (await splitPass(pass.thin)).allocator.finish();
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((item) => b.has(item));

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

/**
 * `allocatePeriod` over subscribers read one at a time (each once, with all its rows): equal to it on the same
 * input. `subscribers()` opens a fresh pass; a policy with a minimum of subscribers per service needs two (the
 * first counts each service's subscribers, the second drops the thin services from everyone before splitting).
 */
export async function allocateSubscriberStream(
  context: AllocationContext,
  subscribers: () => AsyncIterable<SubscriberUsage>,
): Promise<PeriodAllocation> {
  const weigher = new UsageWeigher(context);
  const weigh = (subscriber: SubscriberUsage): ServiceWeights => {
    const weights: ServiceWeights = new Map();
    for (const row of subscriber.usage) weigher.addRow(weights, row);
    weigher.applyCap(weights);
    return weights;
  };
  let thin: ReadonlySet<string> = new Set();
  const minimum = context.policy.minSubscribersPerService;
  if (minimum !== null) {
    const counts = new ServiceSubscriberCounts();
    for await (const subscriber of subscribers()) if (subscriber.tokens > 0n) counts.count(weigh(subscriber));
    thin = counts.thinServices(minimum);
  }
  const allocator = new PeriodAllocator(context);
  for await (const subscriber of subscribers()) {
    if (subscriber.tokens <= 0n) continue;
    const weights = weigh(subscriber);
    dropServices(weights, thin);
    allocator.add(subscriber.tokens, weights);
  }
  return allocator.finish();
}

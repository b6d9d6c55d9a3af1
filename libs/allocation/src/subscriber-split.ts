import { GENERAL_FUND } from './account-key.js';
import { type AccountTotals } from './account-totals.js';
import { type AllocationInput, type AllocationPolicy } from './allocation-input.js';
import { addIntegers, bpsShare, type MixedInteger, splitByMixedWeight } from './split.js';
import { weighSubscriberUsage } from './subscriber-weights.js';

/**
 * Step 1: each paying subscriber's tokens, less the general fund's cut, split over the services that subscriber
 * used by weight (user-centric: one subscriber's fee never pays for another's usage). Returns service id → A_s.
 */
export function splitSubscriberTokens(input: AllocationInput, accounts: AccountTotals): Map<string, bigint> {
  const weightsBySubscriber = weighSubscriberUsage(input);
  const shares = new ServiceShares(input.policy);
  for (const subscriber of input.subscribers)
    shares.add(subscriber.tokens, weightsBySubscriber.get(subscriber.id));
  accounts.credit(GENERAL_FUND, shares.fund);
  return shares.byService();
}

/** Step 1 summed one paying subscriber at a time: the general fund's cut and each service's A_s. */
export class ServiceShares {
  private readonly shares = new Map<string, MixedInteger>();
  private fundTotal = 0n;

  constructor(private readonly policy: Pick<AllocationPolicy, 'generalFundBps'>) {}

  /** One subscriber's tokens over its weighed services; nothing for a subscriber without tokens. */
  add(tokens: bigint, weights: ReadonlyMap<string, MixedInteger> | undefined): void {
    if (tokens <= 0n) return;
    const split = splitOneSubscriber(this.policy, tokens, weights);
    this.fundTotal += split.fund;
    for (const [service, share] of split.services) {
      const sum = this.shares.get(service);
      this.shares.set(service, sum === undefined ? share : addIntegers(sum, share));
    }
  }

  get fund(): bigint {
    return this.fundTotal;
  }

  byService(): Map<string, bigint> {
    return new Map(Array.from(this.shares, ([service, share]) => [service, BigInt(share)]));
  }
}

/** One subscriber's step 1: what goes to the general fund and what to each service it used. */
function splitOneSubscriber(
  policy: Pick<AllocationPolicy, 'generalFundBps'>,
  tokens: bigint,
  weights: ReadonlyMap<string, MixedInteger> | undefined,
): { fund: bigint; services: Map<string, MixedInteger> } {
  const fund = bpsShare(tokens, policy.generalFundBps);
  const rest = tokens - fund;
  if (weights === undefined || weights.size === 0) return { fund: tokens, services: new Map() };
  const services = Array.from(weights.keys());
  const shares = splitByMixedWeight(rest, services, Array.from(weights.values()));
  return {
    fund,
    services: new Map(services.map((service, index) => [service, shares[index] as MixedInteger])),
  };
}

/** Where one subscriber's tokens went in step 1 (the rest of the way is shared per service). */
export interface SubscriberSplit {
  readonly subscriber: string;
  readonly tokens: bigint;
  /** To `fund:general`: the fund's cut, or everything when the subscriber used nothing with weight. */
  readonly fund: bigint;
  /** Per service, sorted by service id, with the subscriber's own usage weight for it. */
  readonly services: readonly {
    readonly service: string;
    readonly weight: bigint;
    readonly amount: bigint;
  }[];
}

export function subscriberSplit(input: AllocationInput, subscriberId: string): SubscriberSplit | null {
  const subscriber = input.subscribers.find((candidate) => candidate.id === subscriberId);
  if (subscriber === undefined || subscriber.tokens <= 0n) return null;
  const weights = weighSubscriberUsage(input).get(subscriberId);
  const split = splitOneSubscriber(input.policy, subscriber.tokens, weights);
  return {
    subscriber: subscriberId,
    tokens: subscriber.tokens,
    fund: split.fund,
    services: [...split.services]
      .map(([service, amount]) => ({
        service,
        weight: BigInt(weights?.get(service) ?? 0),
        amount: BigInt(amount),
      }))
      .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
  };
}

import { GENERAL_FUND } from './account-key.js';
import { type AccountTotals } from './account-totals.js';
import { type AllocationInput } from './allocation-input.js';
import { addIntegers, bpsShare, type MixedInteger, splitByMixedWeight } from './split.js';
import { weighSubscriberUsage } from './subscriber-weights.js';

/**
 * Step 1: each paying subscriber's tokens, less the general fund's cut, split over the services that subscriber
 * used by weight (user-centric: one subscriber's fee never pays for another's usage). Returns service id → A_s.
 */
export function splitSubscriberTokens(input: AllocationInput, accounts: AccountTotals): Map<string, bigint> {
  const weightsBySubscriber = weighSubscriberUsage(input);
  const serviceShares = new Map<string, MixedInteger>();
  for (const subscriber of input.subscribers) {
    if (subscriber.tokens <= 0n) continue;
    const fund = bpsShare(subscriber.tokens, input.policy.generalFundBps);
    const rest = subscriber.tokens - fund;
    accounts.credit(GENERAL_FUND, fund);
    const weights = weightsBySubscriber.get(subscriber.id);
    if (weights === undefined || weights.size === 0) {
      accounts.credit(GENERAL_FUND, rest);
      continue;
    }
    const services = Array.from(weights.keys());
    const shares = splitByMixedWeight(rest, services, Array.from(weights.values()));
    for (let index = 0; index < services.length; index++) {
      const service = services[index] as string;
      const share = shares[index] as MixedInteger;
      const sum = serviceShares.get(service);
      serviceShares.set(service, sum === undefined ? share : addIntegers(sum, share));
    }
  }
  return new Map(Array.from(serviceShares, ([service, share]) => [service, BigInt(share)]));
}

import { type AllocationInput } from './allocation-input.js';
import { addIntegers, type MixedInteger } from './split.js';

/** Service id → the weight of one subscriber's use of it: a safe-integer number while it fits, else a bigint. */
export type ServiceWeights = Map<string, MixedInteger>;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIGINT = BigInt(MAX_SAFE);

/**
 * Step 1's weights: `w(u,s) = sum(quantity * meterWeight)` over the usage rows of each paying subscriber (tokens > 0),
 * then the policy's anti-gaming knobs. Returns subscriber id → services with a weight above zero.
 */
export function weighSubscriberUsage(input: AllocationInput): Map<string, ServiceWeights> {
  const weights = sumUsageWeights(input);
  const { capWeightPerService, minSubscribersPerService } = input.policy;
  if (capWeightPerService !== null) capWeights(weights, capWeightPerService);
  if (minSubscribersPerService !== null) dropThinServices(weights, minSubscribersPerService);
  return weights;
}

function sumUsageWeights(input: AllocationInput): Map<string, ServiceWeights> {
  const bySubscriber = new Map<string, ServiceWeights>();
  for (const subscriber of input.subscribers) {
    if (subscriber.tokens > 0n) bySubscriber.set(subscriber.id, new Map());
  }
  const meterWeights = new Map<string, MixedInteger>();
  for (const [meter, weight] of input.meters) meterWeights.set(meter, narrow(weight));

  // One iteration per usage row (up to millions): plain number arithmetic unless a product or sum outgrows 2^53.
  for (const row of input.usage) {
    const weights = bySubscriber.get(row.subscriber);
    if (weights === undefined) continue;
    const meterWeight = meterWeights.get(row.meter);
    if (meterWeight === undefined) throw new Error(`usage names an unknown meter ${row.meter}`);
    const rowWeight = multiply(row.quantity, meterWeight);
    if (rowWeight === 0) continue;
    const sum = weights.get(row.service);
    weights.set(row.service, sum === undefined ? rowWeight : addIntegers(sum, rowWeight));
  }
  return bySubscriber;
}

function multiply(quantity: bigint, meterWeight: MixedInteger): MixedInteger {
  if (typeof meterWeight === 'number' && quantity <= MAX_SAFE_BIGINT) {
    const product = Number(quantity) * meterWeight;
    // A double product of two safe integers stays at most 2^53-1 exactly when the true product does.
    if (product <= MAX_SAFE) return product;
  }
  return narrow(quantity * BigInt(meterWeight));
}

function narrow(value: bigint): MixedInteger {
  return value <= MAX_SAFE_BIGINT ? Number(value) : value;
}

function capWeights(bySubscriber: Map<string, ServiceWeights>, cap: bigint): void {
  const narrowCap = narrow(cap);
  for (const weights of bySubscriber.values()) {
    // A cap of 0 leaves no weight at all: drop the services rather than keep zero weights.
    if (narrowCap === 0) weights.clear();
    for (const [service, weight] of weights) {
      if (weight > narrowCap) weights.set(service, narrowCap);
    }
  }
}

/** Drops every service used (with weight) by fewer distinct paying subscribers than the policy's minimum. */
function dropThinServices(bySubscriber: Map<string, ServiceWeights>, minimum: bigint): void {
  // Counts stay far below 2^53, so comparing them with the minimum as a double gives the exact answer.
  const threshold = Number(minimum);
  const subscriberCounts = new Map<string, number>();
  for (const weights of bySubscriber.values()) {
    for (const service of weights.keys())
      subscriberCounts.set(service, (subscriberCounts.get(service) ?? 0) + 1);
  }
  for (const weights of bySubscriber.values()) {
    for (const service of weights.keys()) {
      if ((subscriberCounts.get(service) ?? 0) < threshold) weights.delete(service);
    }
  }
}

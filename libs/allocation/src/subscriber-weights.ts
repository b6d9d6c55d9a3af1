import { type AllocationInput, type UsageRow } from './allocation-input.js';
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
  const weigher = new UsageWeigher(input);
  const bySubscriber = new Map<string, ServiceWeights>();
  for (const subscriber of input.subscribers) {
    if (subscriber.tokens > 0n) bySubscriber.set(subscriber.id, new Map());
  }
  for (const row of input.usage) {
    const weights = bySubscriber.get(row.subscriber);
    if (weights !== undefined) weigher.addRow(weights, row);
  }
  for (const weights of bySubscriber.values()) weigher.applyCap(weights);
  const { minSubscribersPerService } = input.policy;
  if (minSubscribersPerService !== null) {
    const counts = new ServiceSubscriberCounts();
    for (const weights of bySubscriber.values()) counts.count(weights);
    const thin = counts.thinServices(minSubscribersPerService);
    for (const weights of bySubscriber.values()) dropServices(weights, thin);
  }
  return bySubscriber;
}

/**
 * Weighs usage one subscriber at a time: `addRow` for each of its rows, then `applyCap` once. The whole-input
 * weighing above and a close that streams subscribers in key order share it.
 */
export class UsageWeigher {
  private readonly meterWeights = new Map<string, MixedInteger>();
  private readonly cap: MixedInteger | null;

  constructor(input: Pick<AllocationInput, 'meters' | 'policy'>) {
    for (const [meter, weight] of input.meters) this.meterWeights.set(meter, narrow(weight));
    const cap = input.policy.capWeightPerService;
    this.cap = cap === null ? null : narrow(cap);
  }

  /** Adds one usage row's weight to its service (plain number arithmetic unless it outgrows 2^53). */
  addRow(weights: ServiceWeights, row: Pick<UsageRow, 'service' | 'meter' | 'quantity'>): void {
    const meterWeight = this.meterWeights.get(row.meter);
    if (meterWeight === undefined) throw new Error(`usage names an unknown meter ${row.meter}`);
    const rowWeight = multiply(row.quantity, meterWeight);
    if (rowWeight === 0) return;
    const sum = weights.get(row.service);
    weights.set(row.service, sum === undefined ? rowWeight : addIntegers(sum, rowWeight));
  }

  /** The policy's cap on one subscriber's weight per service. */
  applyCap(weights: ServiceWeights): void {
    const cap = this.cap;
    if (cap === null) return;
    // A cap of 0 leaves no weight at all: drop the services rather than keep zero weights.
    if (cap === 0) weights.clear();
    for (const [service, weight] of weights) {
      if (weight > cap) weights.set(service, cap);
    }
  }
}

/** How many paying subscribers use each service with weight: the minimum-subscribers rule's count. */
export class ServiceSubscriberCounts {
  private readonly counts = new Map<string, number>();

  count(weights: ServiceWeights): void {
    for (const service of weights.keys()) this.add(service, 1);
  }

  /** `subscribers` more users of the service, counted elsewhere (the ledger's expectation, in SQL). */
  add(service: string, subscribers: number): void {
    this.counts.set(service, (this.counts.get(service) ?? 0) + subscribers);
  }

  /** Services used by fewer distinct paying subscribers than `minimum`: they are dropped from every subscriber. */
  thinServices(minimum: bigint): Set<string> {
    // Counts stay far below 2^53, so comparing them with the minimum as a double gives the exact answer.
    const threshold = Number(minimum);
    const thin = new Set<string>();
    for (const [service, count] of this.counts) if (count < threshold) thin.add(service);
    return thin;
  }
}

export function dropServices(weights: ServiceWeights, services: ReadonlySet<string>): void {
  if (services.size === 0) return;
  for (const service of weights.keys()) if (services.has(service)) weights.delete(service);
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

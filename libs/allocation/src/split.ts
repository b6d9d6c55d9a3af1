import { BPS_SCALE } from './allocation-input.js';
import { compareKeys } from './account-key.js';

/** `floor(amount * bps / 10000)`: the first part of docs/money-rules.md's two-way split. */
export function bpsShare(amount: bigint, bps: bigint): bigint {
  return (amount * bps) / BPS_SCALE;
}

/** Two-way split of `amount` by `bps`: `[floor(amount*bps/10000), the rest]`. */
export function twoWaySplit(amount: bigint, bps: bigint): readonly [first: bigint, second: bigint] {
  const first = bpsShare(amount, bps);
  return [first, amount - first];
}

export interface WeightedKey {
  readonly key: string;
  readonly weight: bigint;
}

/**
 * Weighted split of `amount` over keyed weights (docs/money-rules.md): each key gets `floor(amount*w/W)`, and the leftover
 * goes one unit each to the keys with the largest remainder `(amount*w) mod W`, ties by key in byte order.
 * Returns the shares in the order of `weights`; they always sum to `amount`. Throws when W is 0.
 */
export function weightedSplit(amount: bigint, weights: readonly WeightedKey[]): bigint[] {
  return splitByWeight(
    amount,
    weights.map((entry) => entry.key),
    weights.map((entry) => entry.weight),
  );
}

/** `weightedSplit` over parallel arrays of keys and weights. */
export function splitByWeight(amount: bigint, keys: readonly string[], weights: readonly bigint[]): bigint[] {
  return splitByMixedWeight(amount, keys, weights).map((share) => BigInt(share));
}

/** A non-negative integer: a number while it is a safe integer, a bigint beyond. */
export type MixedInteger = number | bigint;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/**
 * `weightedSplit` for hot loops: weights and shares are plain numbers whenever `amount * W` fits in a double
 * exactly (then so does every product, remainder and quotient), and bigints only otherwise.
 */
export function splitByMixedWeight(
  amount: bigint,
  keys: readonly string[],
  weights: readonly MixedInteger[],
): MixedInteger[] {
  if (amount < 0n) throw new RangeError('cannot split a negative amount');
  let total: MixedInteger = 0;
  for (const weight of weights) {
    if (weight < 0) throw new RangeError('weights must not be negative');
    total = addIntegers(total, weight);
  }
  if (total === 0 || total === 0n) throw new RangeError('a weighted split needs a positive total weight');
  if (typeof total === 'number' && amount <= MAX_SAFE && Number(amount) * total <= MAX_SAFE) {
    return splitSafeNumbers(Number(amount), keys, weights, total);
  }
  return splitBigints(amount, keys, weights, BigInt(total));
}

/** Adds two non-negative integers, leaving number arithmetic only when the sum outgrows 2^53. */
export function addIntegers(left: MixedInteger, right: MixedInteger): MixedInteger {
  if (typeof left === 'number' && typeof right === 'number') {
    // A double sum of safe integers stays at most 2^53-1 exactly when the true sum does.
    const sum = left + right;
    if (sum <= MAX_SAFE) return sum;
  }
  return BigInt(left) + BigInt(right);
}

function splitSafeNumbers(
  amount: number,
  keys: readonly string[],
  weights: readonly MixedInteger[],
  total: number,
) {
  const count = weights.length;
  const shares = new Array<number>(count);
  const remainders = new Array<number>(count);
  let leftover = amount;
  for (let index = 0; index < count; index++) {
    const scaled = amount * Number(weights[index]);
    // `%` on doubles is exact, so the quotient of the exact multiple `scaled - remainder` is exact too.
    const remainder = scaled % total;
    const share = (scaled - remainder) / total;
    shares[index] = share;
    remainders[index] = remainder;
    leftover -= share;
  }
  if (leftover > 0) giveLeftover(leftover, keys, remainders, shares);
  return shares;
}

function splitBigints(
  amount: bigint,
  keys: readonly string[],
  weights: readonly MixedInteger[],
  total: bigint,
) {
  const count = weights.length;
  const shares = new Array<bigint>(count);
  const remainders = new Array<bigint>(count);
  let leftover = amount;
  for (let index = 0; index < count; index++) {
    const scaled = amount * BigInt(weights[index] as MixedInteger);
    const share = scaled / total;
    shares[index] = share;
    remainders[index] = scaled % total;
    leftover -= share;
  }
  const recipients = leftover > 0n ? largestRemainders(Number(leftover), keys, remainders) : [];
  for (const index of recipients) shares[index] = (shares[index] as bigint) + 1n;
  return shares;
}

function giveLeftover(
  leftover: number,
  keys: readonly string[],
  remainders: readonly number[],
  shares: number[],
) {
  for (const index of largestRemainders(leftover, keys, remainders))
    shares[index] = (shares[index] as number) + 1;
}

const SHORT_LIST = 32;

/** The indices of the `leftover` largest remainders (fewer than the number of keys), ties by key in byte order. */
function largestRemainders(
  leftover: number,
  keys: readonly string[],
  remainders: readonly MixedInteger[],
): number[] {
  if (remainders.length > SHORT_LIST) {
    const order = Array.from(remainders.keys()).sort((left, right) =>
      ranksBefore(left, right, keys, remainders) ? -1 : 1,
    );
    return order.slice(0, leftover);
  }
  // Most lists are short (one subscriber's services): a bounded insertion sort without closures.
  const order: number[] = [];
  for (let index = 0; index < remainders.length; index++) {
    let position = order.length;
    while (position > 0 && ranksBefore(index, order[position - 1] as number, keys, remainders)) position--;
    if (position < leftover) order.splice(position, 0, index);
    if (order.length > leftover) order.length = leftover;
  }
  return order;
}

function ranksBefore(
  left: number,
  right: number,
  keys: readonly string[],
  remainders: readonly MixedInteger[],
) {
  const a = remainders[left] as MixedInteger;
  const b = remainders[right] as MixedInteger;
  if (a !== b) return a > b;
  return compareKeys(keys[left] as string, keys[right] as string) < 0;
}

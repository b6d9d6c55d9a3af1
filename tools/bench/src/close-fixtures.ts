import { createHash } from 'node:crypto';

/**
 * Pure pieces of `./dev bench close`: the synthetic subscribers' ids (the same in Node and in SQL), their
 * token amounts, the balanced bulk-mint transactions that put those tokens in their escrows, and the growth
 * verdict.
 */

export const UCC_PER_CC = 1_000_000n;
export const TOKEN_UNIT = 'uCC';

/** `md5(label)::uuid` in Postgres: lets SQL generate the same subscriber ids as Node. */
export function md5Uuid(label: string): string {
  const hex = createHash('md5').update(label).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The i-th synthetic subscriber (1-based), also `md5('bench-subscriber-' || i)::uuid` in SQL. */
export const benchSubscriberId = (index: number): string => md5Uuid(`bench-subscriber-${index}`);
export const BENCH_SUBSCRIBER_SQL = (indexExpression: string): string =>
  `md5('bench-subscriber-' || ${indexExpression})::uuid`;

/** Whole CC (1–20 of them) so that a payment of `tokens / 1e6` minor units mints exactly `tokens` at 1/1. */
export function subscriberTokens(index: number): bigint {
  return BigInt(1 + ((index * 2_654_435_761) % 20)) * UCC_PER_CC;
}

export interface BenchPosting {
  readonly account: string;
  readonly unit: string;
  readonly amount: bigint;
}

export interface BenchMint {
  readonly key: string;
  readonly kind: 'mint';
  readonly period: string;
  readonly memo: Readonly<Record<string, string>>;
  readonly postings: readonly BenchPosting[];
}

/**
 * One mint for a batch of subscribers' payments at the initial price (1 minor unit per CC, no reserve share):
 * the currency into the reserve, and each subscriber's tokens into its period escrow — the same postings as
 * the treasury's per-payment mints, summed per treasury account.
 */
export function bulkMint(
  batch: number,
  subscribers: readonly { readonly id: string; readonly tokens: bigint }[],
  period: string,
  currency: string,
): BenchMint {
  const tokens = subscribers.reduce((sum, subscriber) => sum + subscriber.tokens, 0n);
  const paid = tokens / UCC_PER_CC;
  return {
    key: `bench-mint:${period}:${batch}`,
    kind: 'mint',
    period,
    memo: { price: '1/1', subscribers: String(subscribers.length), tokens: tokens.toString() },
    postings: [
      { account: 'payments:received', unit: currency, amount: -paid },
      { account: 'treasury:reserve', unit: currency, amount: paid },
      { account: 'treasury:issued', unit: TOKEN_UNIT, amount: -tokens },
      ...subscribers.map((subscriber) => ({
        account: `subscriber:${subscriber.id}:${period}`,
        unit: TOKEN_UNIT,
        amount: subscriber.tokens,
      })),
    ],
  };
}

export interface SizedTiming {
  readonly subscribers: number;
  readonly ms: number;
}

/**
 * How each size's time per subscriber compares with the smallest size's: 1 is perfectly linear. Growth is
 * "near linear" when no size costs more than `tolerance` times the smallest's per subscriber.
 */
export function growthVerdict(
  results: readonly SizedTiming[],
  tolerance = 1.5,
): { readonly ratios: readonly number[]; readonly nearLinear: boolean } {
  const [first] = results;
  if (!first) return { ratios: [], nearLinear: true };
  const base = first.ms / first.subscribers;
  const ratios = results.map((result) => result.ms / result.subscribers / base);
  return { ratios, nearLinear: ratios.every((ratio) => ratio <= tolerance) };
}

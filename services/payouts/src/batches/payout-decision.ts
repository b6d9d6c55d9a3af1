/**
 * docs/payout-rules.md and §9, the one home of whether a payee is paid: the batch applies it to every payee's balances at a
 * close, and a payee's view shows what the next batch would do with the same function and the same inputs.
 */

/** What decides a payee's lines, besides its balances: its own threshold, its active payout account, its oldest hold. */
export interface PayeeStanding {
  /** The payee's own threshold, which only ever raises the platform's. */
  readonly ownThresholdMinor: bigint | null;
  readonly account: PayoutAccountStanding | null;
  readonly holdReason: string | null;
}

export interface PayoutAccountStanding {
  readonly id: string;
  readonly rail: 'stripe' | 'bank';
  readonly status: 'verified' | 'unverified';
}

/** A paid line says where to: the payee's verified account at the time of the batch. */
export type LineOutcome =
  | { readonly outcome: 'paid'; readonly account: PayoutAccountStanding }
  | { readonly outcome: 'carried'; readonly reason: string }
  | { readonly outcome: 'held'; readonly reason: string };

/** Why a payee that owes (an adjustment took back more than its balance) is not paid: docs/trust-rules.md. */
export const NEGATIVE_BALANCE = 'negative_balance';

/** The threshold a balance in one currency must reach: the platform's for that currency, or the payee's if higher. */
export function payoutThreshold(platformMinor: bigint, standing: PayeeStanding): bigint {
  const own = standing.ownThresholdMinor;
  return own !== null && own > platformMinor ? own : platformMinor;
}

/**
 * One payee's line for one currency: held, carried forward below its threshold, or paid. A negative balance is
 * held until later credits have paid the debt back (never paid below zero).
 */
export function lineOutcome(
  availableMinor: bigint,
  thresholdMinor: bigint,
  standing: PayeeStanding,
): LineOutcome {
  if (availableMinor < 0n) return { outcome: 'held', reason: NEGATIVE_BALANCE };
  if (standing.holdReason) return { outcome: 'held', reason: standing.holdReason };
  if (!standing.account) return { outcome: 'held', reason: 'missing_payout_account' };
  if (standing.account.status !== 'verified') return { outcome: 'held', reason: 'unverified_payout_account' };
  if (availableMinor < thresholdMinor)
    return { outcome: 'carried', reason: `below_threshold:${thresholdMinor}` };
  return { outcome: 'paid', account: standing.account };
}

/** The reason a line records: none when paid. */
export const reasonOf = (line: LineOutcome): string | null => (line.outcome === 'paid' ? null : line.reason);

export type NextPayoutStatus = 'will_pay' | 'held' | 'below_threshold' | 'nothing_payable';

/**
 * A payee's lines summed up in one word: it will be paid if any currency is; otherwise held or below the
 * threshold as its first such line says; nothing payable without a line (a zero balance gets none).
 */
export function nextPayoutStatus(lines: readonly LineOutcome[]): {
  readonly status: NextPayoutStatus;
  readonly reason: string | null;
} {
  if (lines.some((line) => line.outcome === 'paid')) return { status: 'will_pay', reason: null };
  const held = lines.find((line) => line.outcome === 'held');
  if (held) return { status: 'held', reason: held.reason };
  const carried = lines.find((line) => line.outcome === 'carried');
  if (carried) return { status: 'below_threshold', reason: carried.reason };
  return { status: 'nothing_payable', reason: null };
}

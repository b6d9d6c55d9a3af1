import { compareKeys, weightedSplit } from '@onecommons/allocation';
import { type Posting, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { isPayeeAccount, payableAccount, TreasuryAccount } from '../treasury/accounts.js';
import { buyBackValue, type Price, redemptionValue } from '../treasury/treasury-math.js';

/** The journal kind of an adjustment's transaction (`verify` and the payables report look for it). */
export const ADJUSTMENT_KIND = 'period_adjustment';

/** An allocation row: an account and its uCC. */
export interface AllocationRow {
  readonly account: string;
  readonly amount: bigint;
}

/** An account's uCC in the new allocation less its uCC in the previous one (never zero). */
export interface AllocationDifference {
  readonly account: string;
  readonly tokens: bigint;
}

/** What an adjustment changed for one payee: its tokens, and the currency that follows them. */
export interface PayableChange {
  readonly payee: string;
  /** uCC; includes its share of an already released escrow's debit. */
  readonly tokens: bigint;
  /** Minor units credited (positive) to or debited (negative) from `payable:<payee>`. */
  readonly amountMinor: bigint;
}

export interface AdjustmentPlan {
  readonly differences: readonly AllocationDifference[];
  /** One balanced transaction (empty when nothing changed). */
  readonly postings: readonly Posting[];
  /** Payees whose payable balance changes, by key. */
  readonly payables: readonly PayableChange[];
}

export interface LedgerState {
  /** uCC each account holds now (absent = 0): every account of the differences and of the escrow releases. */
  readonly tokenBalances: ReadonlyMap<string, bigint>;
  /** Payees who keep their tokens (opted out of auto-redeem). */
  readonly optedOut: ReadonlySet<string>;
  /** What each project escrow (`escrow:<project>`) has released so far, per recipient account, in uCC. */
  readonly escrowReleases: ReadonlyMap<string, readonly AllocationRow[]>;
  /** The price differences become currency at: the treasury's current price. */
  readonly price: Price;
  readonly currency: string;
}

export class AdjustmentPlanError extends Error {
  readonly code = 'uncovered_debit';
}

/** Every account whose amount differs between two allocations, by key. */
export function allocationDifferences(
  previous: readonly AllocationRow[],
  next: readonly AllocationRow[],
): AllocationDifference[] {
  const tokens = new Map<string, bigint>();
  for (const row of previous) tokens.set(row.account, (tokens.get(row.account) ?? 0n) - row.amount);
  for (const row of next) tokens.set(row.account, (tokens.get(row.account) ?? 0n) + row.amount);
  return [...tokens.entries()]
    .filter(([, difference]) => difference !== 0n)
    .sort(([a], [b]) => compareKeys(a, b))
    .map(([account, difference]) => ({ account, tokens: difference }));
}

/**
 * How an adjustment posts the difference between two allocations of a closed period (docs/trust-rules.md): every account
 * gets its difference in uCC (they sum to zero), then
 * - an auto-redeeming payee's positive difference is redeemed at the price into `payable:<payee>`, as a close
 *   would (below one minor unit the tokens stay tokens);
 * - a payee that no longer holds the tokens a negative difference takes back (they were redeemed and paid) gets
 *   them re-issued against its payable balance at the price, rounded up; that balance may go negative;
 * - the fund and project escrows keep tokens; an escrow that already released what it is debited takes the rest
 *   back from the accounts it released to, in proportion to what each received.
 * So tokens outstanding and the reserve stay exact, and the reserve still covers every token at the price.
 */
export function planAdjustment(
  differences: readonly AllocationDifference[],
  state: LedgerState,
): AdjustmentPlan {
  const changes = new Map(differences.map((row) => [row.account, row.tokens]));
  const add = (account: string, tokens: bigint) =>
    changes.set(account, (changes.get(account) ?? 0n) + tokens);
  const balanceOf = (account: string) => state.tokenBalances.get(account) ?? 0n;
  for (const { account, tokens } of differences) {
    const shortfall = -(balanceOf(account) + tokens);
    if (!account.startsWith('escrow:') || shortfall <= 0n) continue;
    const recipients = (state.escrowReleases.get(account) ?? []).filter((row) => row.amount > 0n);
    const released = recipients.reduce((sum, row) => sum + row.amount, 0n);
    if (released < shortfall)
      throw new AdjustmentPlanError(
        `${account} is debited ${-tokens} uCC but holds and released only ${released}`,
      );
    add(account, shortfall);
    const shares = weightedSplit(
      shortfall,
      recipients.map((row) => ({ key: row.account, weight: row.amount })),
    );
    recipients.forEach((row, index) => add(row.account, -(shares[index] as bigint)));
  }

  const postings: Posting[] = [];
  const payables: PayableChange[] = [];
  const post = (account: string, unit: string, amount: bigint) => {
    if (amount !== 0n) postings.push({ account, unit, amount });
  };
  for (const [account, tokens] of [...changes.entries()].sort(([a], [b]) => compareKeys(a, b))) {
    if (tokens === 0n) continue;
    post(account, TOKEN_UNIT, tokens);
    const after = balanceOf(account) + tokens;
    if (!isPayeeAccount(account)) {
      if (after < 0n) throw new AdjustmentPlanError(`${account} would hold ${after} uCC`);
      continue;
    }
    let amountMinor = 0n;
    if (after < 0n) {
      amountMinor = -buyBackValue(-after, state.price);
      post(TreasuryAccount.issued, TOKEN_UNIT, after);
      post(account, TOKEN_UNIT, -after);
    } else if (tokens > 0n && !state.optedOut.has(account)) {
      amountMinor = redemptionValue(tokens, state.price);
      if (amountMinor > 0n) {
        post(account, TOKEN_UNIT, -tokens);
        post(TreasuryAccount.issued, TOKEN_UNIT, tokens);
      }
    }
    post(TreasuryAccount.reserve, state.currency, -amountMinor);
    post(payableAccount(account), state.currency, amountMinor);
    if (amountMinor !== 0n) payables.push({ payee: account, tokens, amountMinor });
  }
  return { differences, postings, payables };
}

/**
 * A ledger transaction: ≥2 postings that sum to zero per unit. Units are a currency code (minor units) or
 * `uCC`. An account is a key; its balance in one unit is the sum of its postings in that unit.
 */
export const TOKEN_UNIT = 'uCC';

export interface Posting {
  readonly account: string;
  readonly unit: string;
  /** Signed: what the posting adds to the account's balance in the unit. */
  readonly amount: bigint;
}

export interface LedgerTransaction {
  /** Unique; a transaction whose key is already in the ledger is not posted again (`payment:<id>`). */
  readonly key: string;
  readonly kind: string;
  readonly period: string | null;
  /** Facts for statements and audits (ids of what caused it); strings only, so it hashes canonically. */
  readonly memo: Readonly<Record<string, string>>;
  readonly postings: readonly Posting[];
}

export class UnbalancedTransactionError extends Error {
  readonly code = 'unbalanced_transaction';
}

/** Per unit, the sum of the postings; a balanced transaction has only zeros. */
export function sumsPerUnit(postings: readonly Posting[]): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const posting of postings) sums.set(posting.unit, (sums.get(posting.unit) ?? 0n) + posting.amount);
  return sums;
}

export function assertBalanced(transaction: LedgerTransaction): void {
  assertSumsBalance(transaction.key, transaction.postings.length, sumsPerUnit(transaction.postings));
}

/** `assertBalanced` from a count and per-unit sums, for postings that stream past rather than sit in a list. */
export function assertSumsBalance(key: string, postings: number, sums: ReadonlyMap<string, bigint>): void {
  if (postings < 2) {
    throw new UnbalancedTransactionError(`transaction ${key}: fewer than two postings`);
  }
  for (const [unit, sum] of sums) {
    if (sum !== 0n) {
      throw new UnbalancedTransactionError(`transaction ${key}: ${unit} sums to ${sum}, not 0`);
    }
  }
}

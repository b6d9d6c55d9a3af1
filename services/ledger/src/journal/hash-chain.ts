import { createHash } from 'node:crypto';

/** The `prev_hash` of the first transaction. */
export const GENESIS_HASH = '0'.repeat(64);

/** A transaction as stored: what its hash covers. */
export interface ChainedTransaction {
  readonly seq: bigint;
  readonly key: string;
  readonly kind: string;
  readonly period: string | null;
  readonly memo: Readonly<Record<string, string>>;
  readonly entries: readonly {
    readonly line: number;
    readonly account: string;
    readonly unit: string;
    readonly amount: bigint;
  }[];
}

/**
 * The canonical serialisation: a JSON array with a fixed field order, memo keys sorted, entries by line,
 * amounts as decimal strings. The same bytes whether built before the insert or read back by `verify`.
 */
export function canonicalTransaction(transaction: ChainedTransaction): string {
  const memo = Object.keys(transaction.memo)
    .sort()
    .map((key) => [key, transaction.memo[key]]);
  const entries = [...transaction.entries]
    .sort((a, b) => a.line - b.line)
    .map((entry) => [entry.line, entry.account, entry.unit, entry.amount.toString()]);
  return JSON.stringify([
    transaction.seq.toString(),
    transaction.key,
    transaction.kind,
    transaction.period,
    memo,
    entries,
  ]);
}

/** sha256(previous hash ‖ "\n" ‖ canonical transaction), lowercase hex. */
export function chainHash(previousHash: string, transaction: ChainedTransaction): string {
  return createHash('sha256')
    .update(previousHash)
    .update('\n')
    .update(canonicalTransaction(transaction))
    .digest('hex');
}

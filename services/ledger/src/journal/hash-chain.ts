import { createHash, type Hash } from 'node:crypto';

/** The `prev_hash` of the first transaction. */
export const GENESIS_HASH = '0'.repeat(64);

export interface ChainedEntry {
  readonly line: number;
  readonly account: string;
  readonly unit: string;
  readonly amount: bigint;
}

/** A transaction as stored: what its hash covers. */
export interface ChainedTransaction {
  readonly seq: bigint;
  readonly key: string;
  readonly kind: string;
  readonly period: string | null;
  readonly memo: Readonly<Record<string, string>>;
  readonly entries: readonly ChainedEntry[];
}

/**
 * The canonical serialisation: a JSON array with a fixed field order, memo keys sorted, entries by line,
 * amounts as decimal strings. The same bytes whether built before the insert or read back by `verify`.
 */
export function canonicalTransaction(transaction: ChainedTransaction): string {
  return `${canonicalHead(transaction)}${byLine(transaction.entries).map(canonicalEntry).join(',')}]]`;
}

/** sha256(previous hash ‖ "\n" ‖ canonical transaction), lowercase hex. */
export function chainHash(previousHash: string, transaction: ChainedTransaction): string {
  const hasher = new ChainHasher(previousHash, transaction);
  for (const entry of byLine(transaction.entries)) hasher.add(entry);
  return hasher.digest();
}

/**
 * `chainHash` fed one entry at a time, in line order, for a transaction too large to hold at once (a close posts
 * one entry per subscriber): the same bytes go into the hash, so old and new transactions verify alike.
 */
export class ChainHasher {
  private readonly hash: Hash;
  private entries = 0;

  constructor(previousHash: string, head: Omit<ChainedTransaction, 'entries'>) {
    this.hash = createHash('sha256').update(previousHash).update('\n').update(canonicalHead(head));
  }

  add(entry: ChainedEntry): void {
    this.hash.update(this.entries === 0 ? canonicalEntry(entry) : `,${canonicalEntry(entry)}`);
    this.entries += 1;
  }

  digest(): string {
    return this.hash.update(']]').digest('hex');
  }
}

/** The canonical text up to the first entry: `["seq","key","kind","period",[memo pairs],[`. */
function canonicalHead(transaction: Omit<ChainedTransaction, 'entries'>): string {
  const memo = Object.keys(transaction.memo)
    .sort()
    .map((key) => [key, transaction.memo[key]]);
  const head = JSON.stringify([
    transaction.seq.toString(),
    transaction.key,
    transaction.kind,
    transaction.period,
    memo,
  ]);
  return `${head.slice(0, -1)},[`;
}

function canonicalEntry(entry: ChainedEntry): string {
  return JSON.stringify([entry.line, entry.account, entry.unit, entry.amount.toString()]);
}

function byLine(entries: readonly ChainedEntry[]): ChainedEntry[] {
  return [...entries].sort((a, b) => a.line - b.line);
}

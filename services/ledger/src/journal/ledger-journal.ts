import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { transactionClient } from '@onecommons/persistence';
import { from as copyFrom } from 'pg-copy-streams';
import { type EntityManager } from 'typeorm';
import { ChainHasher, chainHash, GENESIS_HASH } from './hash-chain.js';
import {
  assertBalanced,
  assertSumsBalance,
  type LedgerTransaction,
  type Posting,
} from './ledger-transaction.js';

/** Every append to the journal takes this transaction-scoped lock first: one writer at a time, a linear chain. */
const JOURNAL_LOCK = 'onecommons:ledger:journal';

/** Entries per COPY write while a streamed transaction is posted. */
const COPY_CHUNK = 10_000;

export type PostOutcome =
  | { readonly posted: true; readonly seq: bigint; readonly hash: string }
  | { readonly posted: false; readonly seq: bigint };

/** A transaction whose postings are too many to hold at once: they arrive in line order. */
export interface StreamedTransaction extends Omit<LedgerTransaction, 'postings'> {
  readonly postings: AsyncIterable<Posting> | Iterable<Posting>;
}

interface ChainHead {
  readonly seq: bigint;
  readonly prevHash: string;
}

/**
 * Appends balanced transactions to the hash-chained journal and keeps the balance projection in step, in the
 * caller's database transaction. A key already in the journal posts nothing (idempotency).
 */
@Injectable()
export class LedgerJournal {
  /** Serialises appends until the caller's transaction ends; take it before reading state to post from. */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JOURNAL_LOCK]);
  }

  async postedSeq(manager: EntityManager, key: string): Promise<bigint | undefined> {
    const [row] = (await manager.query('SELECT seq::text AS seq FROM ledger_transactions WHERE key = $1', [
      key,
    ])) as { seq: string }[];
    return row ? BigInt(row.seq) : undefined;
  }

  async post(manager: EntityManager, transaction: LedgerTransaction): Promise<PostOutcome> {
    assertBalanced(transaction);
    const head = await this.nextInChain(manager, transaction.key);
    if ('posted' in head) return head;
    const entries = transaction.postings.map((posting, index) => ({ ...posting, line: index + 1 }));
    const hash = chainHash(head.prevHash, { ...transaction, seq: head.seq, entries });
    await this.insertTransaction(manager, transaction, head, hash);
    await manager.query(
      `INSERT INTO ledger_entries (transaction_key, line, account, unit, amount)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::numeric[])`,
      [
        transaction.key,
        entries.map((entry) => entry.line),
        entries.map((entry) => entry.account),
        entries.map((entry) => entry.unit),
        entries.map((entry) => entry.amount.toString()),
      ],
    );
    await this.applyToBalances(manager, transaction.key);
    return { posted: true, seq: head.seq, hash };
  }

  /**
   * `post` for a transaction of any size (a close posts one entry per subscriber): the entries are hashed and
   * copied into the journal as they arrive, so nothing holds them all, then their header is written with the hash.
   * Inside the caller's database transaction, so either all of it is there or none.
   */
  async postStreamed(manager: EntityManager, transaction: StreamedTransaction): Promise<PostOutcome> {
    const head = await this.nextInChain(manager, transaction.key);
    if ('posted' in head) return head;
    const hasher = new ChainHasher(head.prevHash, { ...transaction, seq: head.seq });
    const sums = new Map<string, bigint>();
    const client = await transactionClient(manager, 'postStreamed');
    let lines = 0;
    let chunk = '';
    let inChunk = 0;
    // One COPY per chunk, written between reads of the postings: their source may read on this connection too.
    const copyChunk = async () => {
      await pipeline(
        Readable.from([chunk]),
        client.query(
          copyFrom('COPY ledger_entries (transaction_key, line, account, unit, amount) FROM STDIN'),
        ),
      );
      chunk = '';
      inChunk = 0;
    };
    for await (const posting of transaction.postings) {
      lines += 1;
      hasher.add({ ...posting, line: lines });
      sums.set(posting.unit, (sums.get(posting.unit) ?? 0n) + posting.amount);
      chunk += copyLine([
        transaction.key,
        String(lines),
        posting.account,
        posting.unit,
        String(posting.amount),
      ]);
      if (++inChunk === COPY_CHUNK) await copyChunk();
    }
    if (inChunk > 0) await copyChunk();
    assertSumsBalance(transaction.key, lines, sums);
    const hash = hasher.digest();
    await this.insertTransaction(manager, transaction, head, hash);
    await this.applyEmptyingBalances(manager, transaction.key);
    return { posted: true, seq: head.seq, hash };
  }

  /**
   * `applyToBalances` for a transaction that empties many accounts (a close empties every subscriber escrow of its
   * period): the balances it brings to zero are removed rather than rewritten (a missing balance is zero), so they
   * cost no new row version and the table keeps only balances that hold something.
   */
  private async applyEmptyingBalances(manager: EntityManager, key: string): Promise<void> {
    // The just-copied entries have no statistics yet (the planner expects one row): joined in a loop, a million
    // escrows were a million random index reads; hashed, one pass over each side.
    await manager.query('SET LOCAL enable_nestloop = off');
    await manager.query(
      // Each account is looked up once, then either removed or upserted: two disjoint sets, no join between them.
      `WITH moved AS (
         SELECT m.account, m.unit, m.amount, b.balance
           FROM (SELECT account, unit, sum(amount) AS amount FROM ledger_entries WHERE transaction_key = $1
                  GROUP BY account, unit) m
           LEFT JOIN ledger_balances b ON b.account = m.account AND b.unit = m.unit
       ), emptied AS (
         DELETE FROM ledger_balances b USING moved m
          WHERE m.balance + m.amount = 0 AND b.account = m.account AND b.unit = m.unit
       )
       INSERT INTO ledger_balances (account, unit, balance)
       SELECT account, unit, amount FROM moved WHERE balance IS NULL OR balance + amount <> 0
        ORDER BY account, unit
       ON CONFLICT (account, unit) DO UPDATE SET balance = ledger_balances.balance + EXCLUDED.balance`,
      [key],
    );
    await manager.query('RESET enable_nestloop');
  }

  async balance(manager: EntityManager, account: string, unit: string): Promise<bigint> {
    const [row] = (await manager.query(
      'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
      [account, unit],
    )) as { balance: string }[];
    return row ? BigInt(row.balance) : 0n;
  }

  /** Takes the lock; the key's seq when it is already posted, else the seq and previous hash a post gets. */
  private async nextInChain(
    manager: EntityManager,
    key: string,
  ): Promise<ChainHead | Extract<PostOutcome, { posted: false }>> {
    await this.lock(manager);
    const existing = await this.postedSeq(manager, key);
    if (existing !== undefined) return { posted: false, seq: existing };
    // `t.seq`, not `seq`: an unqualified ORDER BY name is the output column, here text ("9" > "10"), which
    // would also sort the whole journal instead of reading the head off the seq index.
    const [head] = (await manager.query(
      'SELECT t.seq::text AS seq, t.hash FROM ledger_transactions t ORDER BY t.seq DESC LIMIT 1',
    )) as { seq: string; hash: string }[];
    return { seq: head ? BigInt(head.seq) + 1n : 1n, prevHash: head?.hash ?? GENESIS_HASH };
  }

  private async insertTransaction(
    manager: EntityManager,
    transaction: Omit<LedgerTransaction, 'postings'>,
    head: ChainHead,
    hash: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_transactions (key, seq, kind, period, memo, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        transaction.key,
        head.seq.toString(),
        transaction.kind,
        transaction.period,
        JSON.stringify(transaction.memo),
        head.prevHash,
        hash,
      ],
    );
  }

  /**
   * The balance projection: each account's balance plus its entries in the transaction. Balances are never
   * indexed on the amount, so with the table's free space these updates stay heap-only (HOT).
   */
  private async applyToBalances(manager: EntityManager, key: string): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_balances (account, unit, balance)
       SELECT account, unit, sum(amount) FROM ledger_entries WHERE transaction_key = $1
        GROUP BY account, unit ORDER BY account, unit
       ON CONFLICT (account, unit) DO UPDATE SET balance = ledger_balances.balance + EXCLUDED.balance`,
      [key],
    );
  }
}

/** One row of COPY's text format: fields escaped (backslash, tab, newline, carriage return), tab-separated. */
function copyLine(fields: readonly string[]): string {
  return `${fields.map((field) => field.replace(/[\\\t\n\r]/g, (character) => COPY_ESCAPES[character] ?? character)).join('\t')}\n`;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\t': '\\t',
  '\n': '\\n',
  '\r': '\\r',
};

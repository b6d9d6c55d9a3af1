import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { bigintText, queryRows, transactionClient } from '@onecommons/persistence';
import { from as copyFrom } from 'pg-copy-streams';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type ChainedEntry } from './hash-chain.js';
import { type LedgerTransaction } from './ledger-transaction.js';

/** Entries per COPY write while a streamed transaction is posted. */
const COPY_CHUNK = 10_000;

/** The last transaction of the chain: the next one links to its hash. */
export interface JournalHead {
  readonly seq: bigint;
  readonly hash: string;
}

/** A transaction's place in the chain and the hashes that link it there. */
export interface ChainLink {
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
}

/** Writes a streamed transaction's entries with COPY, a chunk at a time. */
export interface EntryCopy {
  /** Adds the next entry (in line order); true when its chunk is full: flush it before reading on. */
  add(entry: ChainedEntry): boolean;
  /** Writes the entries added since the last flush, if any. */
  flush(): Promise<void>;
}

const seqRow = z.object({ seq: bigintText });

const headRow = z.object({ seq: bigintText, hash: z.string() });

const balanceRow = z.object({ balance: bigintText });

/** The journal's tables: ledger_transactions (the hash chain), ledger_entries and the ledger_balances projection. */
@Injectable()
export class JournalRepository {
  /** The seq of the transaction with this key, or null when it is not in the journal. */
  async seqOf(manager: EntityManager, key: string): Promise<bigint | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'journal.seqOf',
        row: seqRow,
        sql: 'SELECT seq::text AS seq FROM ledger_transactions WHERE key = $1',
      },
      [key],
    );
    return row ? row.seq : null;
  }

  /** Null while the journal is empty. */
  async head(manager: EntityManager): Promise<JournalHead | null> {
    // `t.seq`, not `seq`: an unqualified ORDER BY name is the output column, here text ("9" > "10"), which
    // would also sort the whole journal instead of reading the head off the seq index.
    const [head] = await queryRows(
      manager,
      {
        name: 'journal.head',
        row: headRow,
        sql: 'SELECT t.seq::text AS seq, t.hash FROM ledger_transactions t ORDER BY t.seq DESC LIMIT 1',
      },
      [],
    );
    return head ?? null;
  }

  /** An account's balance in a unit; zero when it has no row. */
  async balanceOf(manager: EntityManager, account: string, unit: string): Promise<bigint> {
    const [row] = await queryRows(
      manager,
      {
        name: 'journal.balanceOf',
        row: balanceRow,
        sql: 'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
      },
      [account, unit],
    );
    return row ? row.balance : 0n;
  }

  /** The transaction's header; its postings are the entries. */
  async insertHeader(
    manager: EntityManager,
    transaction: Omit<LedgerTransaction, 'postings'>,
    link: ChainLink,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_transactions (key, seq, kind, period, memo, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        transaction.key,
        link.seq.toString(),
        transaction.kind,
        transaction.period,
        JSON.stringify(transaction.memo),
        link.prevHash,
        link.hash,
      ],
    );
  }

  async insertEntries(manager: EntityManager, key: string, entries: readonly ChainedEntry[]): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_entries (transaction_key, line, account, unit, amount)
       SELECT $1, * FROM unnest($2::int[], $3::text[], $4::text[], $5::numeric[])`,
      [
        key,
        entries.map((entry) => entry.line),
        entries.map((entry) => entry.account),
        entries.map((entry) => entry.unit),
        entries.map((entry) => entry.amount.toString()),
      ],
    );
  }

  /**
   * `insertEntries` for a transaction too large to hold at once, on the pg connection of the caller's database
   * transaction. One COPY per chunk, written between the caller's reads of the entries: their source may read on
   * this connection too.
   */
  async copyEntries(manager: EntityManager, key: string): Promise<EntryCopy> {
    const client = await transactionClient(manager, 'postStreamed');
    let chunk = '';
    let inChunk = 0;
    return {
      add: (entry) => {
        chunk += copyLine([key, String(entry.line), entry.account, entry.unit, String(entry.amount)]);
        return ++inChunk === COPY_CHUNK;
      },
      flush: async () => {
        if (inChunk === 0) return;
        await pipeline(
          Readable.from([chunk]),
          client.query(
            copyFrom('COPY ledger_entries (transaction_key, line, account, unit, amount) FROM STDIN'),
          ),
        );
        chunk = '';
        inChunk = 0;
      },
    };
  }

  /**
   * The balance projection: each account's balance plus its entries in the transaction. Balances are never
   * indexed on the amount, so with the table's free space these updates stay heap-only (HOT).
   */
  async applyToBalances(manager: EntityManager, key: string): Promise<void> {
    await manager.query(
      `INSERT INTO ledger_balances (account, unit, balance)
       SELECT account, unit, sum(amount) FROM ledger_entries WHERE transaction_key = $1
        GROUP BY account, unit ORDER BY account, unit
       ON CONFLICT (account, unit) DO UPDATE SET balance = ledger_balances.balance + EXCLUDED.balance`,
      [key],
    );
  }

  /**
   * `applyToBalances` for a transaction that empties many accounts (a close empties every subscriber escrow of its
   * period): the balances it brings to zero are removed rather than rewritten (a missing balance is zero), so they
   * cost no new row version and the table keeps only balances that hold something.
   */
  async applyEmptyingBalances(manager: EntityManager, key: string): Promise<void> {
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

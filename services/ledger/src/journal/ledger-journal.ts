import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { chainHash, GENESIS_HASH } from './hash-chain.js';
import { assertBalanced, type LedgerTransaction } from './ledger-transaction.js';

/** Every append to the journal takes this transaction-scoped lock first: one writer at a time, a linear chain. */
const JOURNAL_LOCK = 'onecommons:ledger:journal';

export type PostOutcome =
  | { readonly posted: true; readonly seq: bigint; readonly hash: string }
  | { readonly posted: false; readonly seq: bigint };

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
    await this.lock(manager);
    const existing = await this.postedSeq(manager, transaction.key);
    if (existing !== undefined) return { posted: false, seq: existing };
    // `t.seq`, not `seq`: an unqualified ORDER BY name is the output column, here text ("9" > "10"), which
    // would also sort the whole journal instead of reading the head off the seq index.
    const [head] = (await manager.query(
      'SELECT t.seq::text AS seq, t.hash FROM ledger_transactions t ORDER BY t.seq DESC LIMIT 1',
    )) as { seq: string; hash: string }[];
    const seq = head ? BigInt(head.seq) + 1n : 1n;
    const prevHash = head?.hash ?? GENESIS_HASH;
    const entries = transaction.postings.map((posting, index) => ({ ...posting, line: index + 1 }));
    const hash = chainHash(prevHash, { ...transaction, seq, entries });
    await manager.query(
      `INSERT INTO ledger_transactions (key, seq, kind, period, memo, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        transaction.key,
        seq.toString(),
        transaction.kind,
        transaction.period,
        JSON.stringify(transaction.memo),
        prevHash,
        hash,
      ],
    );
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
    await manager.query(
      `INSERT INTO ledger_balances (account, unit, balance)
       SELECT account, unit, sum(amount) FROM unnest($1::text[], $2::text[], $3::numeric[]) AS t(account, unit, amount)
        GROUP BY account, unit ORDER BY account, unit
       ON CONFLICT (account, unit) DO UPDATE SET balance = ledger_balances.balance + EXCLUDED.balance`,
      [
        entries.map((entry) => entry.account),
        entries.map((entry) => entry.unit),
        entries.map((entry) => entry.amount.toString()),
      ],
    );
    return { posted: true, seq, hash };
  }

  async balance(manager: EntityManager, account: string, unit: string): Promise<bigint> {
    const [row] = (await manager.query(
      'SELECT balance::text AS balance FROM ledger_balances WHERE account = $1 AND unit = $2',
      [account, unit],
    )) as { balance: string }[];
    return row ? BigInt(row.balance) : 0n;
  }
}

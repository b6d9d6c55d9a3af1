import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { ChainHasher, chainHash, GENESIS_HASH } from './hash-chain.js';
import { JournalRepository } from './journal.repository.js';
import {
  assertBalanced,
  assertSumsBalance,
  type LedgerTransaction,
  type Posting,
} from './ledger-transaction.js';

/** Every append to the journal takes this transaction-scoped lock first: one writer at a time, a linear chain. */
const JOURNAL_LOCK = 'onecommons:ledger:journal';

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
  constructor(private readonly rows: JournalRepository) {}

  /** Serialises appends until the caller's transaction ends; take it before reading state to post from. */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JOURNAL_LOCK]);
  }

  async postedSeq(manager: EntityManager, key: string): Promise<bigint | undefined> {
    return (await this.rows.seqOf(manager, key)) ?? undefined;
  }

  async post(manager: EntityManager, transaction: LedgerTransaction): Promise<PostOutcome> {
    assertBalanced(transaction);
    const head = await this.nextInChain(manager, transaction.key);
    if ('posted' in head) return head;
    const entries = transaction.postings.map((posting, index) => ({ ...posting, line: index + 1 }));
    const hash = chainHash(head.prevHash, { ...transaction, seq: head.seq, entries });
    await this.rows.insertHeader(manager, transaction, { ...head, hash });
    await this.rows.insertEntries(manager, transaction.key, entries);
    await this.rows.applyToBalances(manager, transaction.key);
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
    const copy = await this.rows.copyEntries(manager, transaction.key);
    let lines = 0;
    for await (const posting of transaction.postings) {
      lines += 1;
      const entry = { ...posting, line: lines };
      hasher.add(entry);
      sums.set(posting.unit, (sums.get(posting.unit) ?? 0n) + posting.amount);
      if (copy.add(entry)) await copy.flush();
    }
    await copy.flush();
    assertSumsBalance(transaction.key, lines, sums);
    const hash = hasher.digest();
    await this.rows.insertHeader(manager, transaction, { ...head, hash });
    await this.rows.applyEmptyingBalances(manager, transaction.key);
    return { posted: true, seq: head.seq, hash };
  }

  async balance(manager: EntityManager, account: string, unit: string): Promise<bigint> {
    return this.rows.balanceOf(manager, account, unit);
  }

  /** Takes the lock; the key's seq when it is already posted, else the seq and previous hash a post gets. */
  private async nextInChain(
    manager: EntityManager,
    key: string,
  ): Promise<ChainHead | Extract<PostOutcome, { posted: false }>> {
    await this.lock(manager);
    const existing = await this.postedSeq(manager, key);
    if (existing !== undefined) return { posted: false, seq: existing };
    const head = await this.rows.head(manager);
    return { seq: head ? head.seq + 1n : 1n, prevHash: head?.hash ?? GENESIS_HASH };
  }
}

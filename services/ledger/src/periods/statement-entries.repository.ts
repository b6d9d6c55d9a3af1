import { Injectable } from '@nestjs/common';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { ADJUSTMENT_KIND } from '../adjustments/adjustment-plan.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { closeKeyOf } from './period-closer.js';

/** One journal entry a statement rests on: where it sits in the hash chain and what it posted. */
export interface LedgerEntryRef {
  readonly transaction: string;
  readonly kind: string;
  readonly seq: string;
  readonly line: number;
  /** uCC; negative for a debit. */
  readonly amount: string;
  /** The transaction's hash in the chain (`commons ledger verify` recomputes it). */
  readonly hash: string;
  readonly postedAt: string;
}

const entryRow = z
  .object({
    transaction_key: z.string(),
    kind: z.string(),
    seq: bigintText,
    line: z.number().int(),
    amount: bigintText,
    hash: z.string(),
    posted_at: z.date(),
  })
  .transform((row): LedgerEntryRef => ({
    transaction: row.transaction_key,
    kind: row.kind,
    seq: row.seq.toString(),
    line: row.line,
    amount: row.amount.toString(),
    hash: row.hash,
    postedAt: row.posted_at.toISOString(),
  }));

/** An account's uCC entries, in chain order, from the transactions `transactionFilter` (on `t`) keeps. */
const entriesQuery = (name: string, transactionFilter: string) => ({
  name,
  row: entryRow,
  sql: `SELECT t.key AS transaction_key, t.kind, t.seq::text AS seq, e.line, e.amount::text AS amount, t.hash,
               t.posted_at
          FROM ledger_entries e JOIN ledger_transactions t ON t.key = e.transaction_key
         WHERE e.account = $1 AND e.unit = $2 AND ${transactionFilter}
         ORDER BY t.seq, e.line`,
});

const ALLOCATION_ENTRIES = entriesQuery(
  'statements.allocationEntries',
  `(t.key = $3 OR (t.kind = $4 AND t.memo->>'adjustedPeriod' = $5))`,
);
const ACCOUNT_ENTRIES = entriesQuery('statements.accountEntries', 'true');

/** The journal entries behind statements, read from the ledger's own tables. */
@Injectable()
export class StatementEntriesRepository {
  /** An account's uCC entries from a period's allocation: its credit in the close, then each adjustment's. */
  allocationEntries(manager: EntityManager, account: string, period: string): Promise<LedgerEntryRef[]> {
    return queryRows(manager, ALLOCATION_ENTRIES, [
      account,
      TOKEN_UNIT,
      closeKeyOf(period),
      ADJUSTMENT_KIND,
      period,
    ]);
  }

  /** Every uCC entry of one account (a subscriber's period escrow: its mints, refunds and the close's debit). */
  accountEntries(manager: EntityManager, account: string): Promise<LedgerEntryRef[]> {
    return queryRows(manager, ACCOUNT_ENTRIES, [account, TOKEN_UNIT]);
  }
}

import { bigintText, clientQueryable, type Queryable, queryOne, queryRows } from '@onecommons/persistence';
import type pg from 'pg';
import { z } from 'zod';
import { ADJUSTMENT_KIND } from '../adjustments/adjustment-plan.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { valuationOf } from '../treasury/period-prices.js';
import { type Price } from '../treasury/treasury-math.js';
import { TreasuryAccount } from '../treasury/accounts.js';
import { TreasuryRepository } from '../treasury/treasury.repository.js';

/** A journal transaction's header as the chain hashes it. */
export interface ChainTransaction {
  readonly seq: bigint;
  readonly key: string;
  readonly kind: string;
  readonly period: string | null;
  readonly memo: Record<string, string>;
  readonly prevHash: string;
  readonly hash: string;
}

/** An entry as the chain hashes it, with its transaction's seq. */
export interface ChainEntry {
  readonly seq: bigint;
  readonly line: number;
  readonly account: string;
  readonly unit: string;
  readonly amount: bigint;
}

export interface AccountBalance {
  readonly account: string;
  readonly unit: string;
  readonly balance: bigint;
}

/** A payment's refunds and disputes; `paid` and `minted` are null when the payment was never captured. */
export interface PaymentReversals {
  readonly payment: string;
  readonly reversed: bigint;
  readonly burned: bigint;
  readonly paid: bigint | null;
  readonly minted: bigint | null;
}

const chainTransactionRow = z
  .object({
    seq: bigintText,
    key: z.string(),
    kind: z.string(),
    period: z.string().nullable(),
    memo: z.record(z.string(), z.string()),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .transform((row): ChainTransaction => ({
    seq: row.seq,
    key: row.key,
    kind: row.kind,
    period: row.period,
    memo: row.memo,
    prevHash: row.prev_hash,
    hash: row.hash,
  }));

const chainEntryRow = z.object({
  seq: bigintText,
  line: z.number().int(),
  account: z.string(),
  unit: z.string(),
  amount: bigintText,
});

const entriesCountRow = z.object({ entries: z.number().int() });

const transactionEntriesRow = z.object({ key: z.string(), n: z.number().int() });

const unitSumRow = z.object({ key: z.string(), unit: z.string(), sum: bigintText });

const balanceMismatchRow = z.object({
  account: z.string(),
  unit: z.string(),
  stored: bigintText,
  computed: bigintText,
});

const accountBalanceRow = z.object({ account: z.string(), unit: z.string(), balance: bigintText });

const payableBalanceRow = z
  .object({ account: z.string(), balance: bigintText, adjustment_debits: bigintText })
  .transform((row) => ({
    account: row.account,
    balance: row.balance,
    adjustmentDebits: row.adjustment_debits,
  }));

const paymentReversalsRow = z.object({
  payment: z.string(),
  reversed: bigintText,
  burned: bigintText,
  paid: bigintText.nullable(),
  minted: bigintText.nullable(),
});

/** Entries fetched at a time while the chain is checked: a close has one per subscriber. */
const ENTRY_BATCH = 10_000;

/** What `verify` reads of the journal (ledger_transactions, ledger_entries, ledger_balances), in its snapshot. */
export class LedgerChecksRepository {
  private readonly connection: Queryable;
  private readonly treasury = new TreasuryRepository();

  constructor(client: pg.ClientBase) {
    this.connection = clientQueryable(client);
  }

  /** Up to `limit` transactions after seq `after`, in seq order. */
  async transactionsAfter(after: bigint, limit: number): Promise<ChainTransaction[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.transactionsAfter',
        row: chainTransactionRow,
        sql: `SELECT t.seq::text AS seq, t.key, t.kind, t.period, t.memo, t.prev_hash, t.hash
         FROM ledger_transactions t WHERE t.seq > $1 ORDER BY t.seq LIMIT ${limit}`,
      },
      [after.toString()],
    );
  }

  /** The entries of the transactions with `after < seq <= last`, by seq then line, through a cursor. */
  async *entriesInChainOrder(after: bigint, last: bigint): AsyncGenerator<ChainEntry> {
    // Both bounds are bigints: DECLARE takes no parameters.
    await this.connection.query(
      `DECLARE chain_entries NO SCROLL CURSOR FOR
       SELECT t.seq::text AS seq, e.line, e.account, e.unit, e.amount::text AS amount
         FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
        WHERE t.seq > ${after} AND t.seq <= ${last} ORDER BY t.seq, e.line`,
      [],
    );
    try {
      for (;;) {
        const rows = await queryRows(
          this.connection,
          {
            name: 'ledgerChecks.entriesInChainOrder',
            row: chainEntryRow,
            sql: `FETCH ${ENTRY_BATCH} FROM chain_entries`,
          },
          [],
        );
        yield* rows;
        if (rows.length < ENTRY_BATCH) break;
      }
    } finally {
      await this.connection.query('CLOSE chain_entries', []);
    }
  }

  async entryCount(): Promise<number> {
    const row = await queryOne(
      this.connection,
      {
        name: 'ledgerChecks.entryCount',
        row: entriesCountRow,
        sql: 'SELECT count(*)::int AS entries FROM ledger_entries',
      },
      [],
    );
    return row.entries;
  }

  /** Per transaction key missing from the chain, how many entries name it. */
  async orphanEntries(): Promise<z.output<typeof transactionEntriesRow>[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.orphanEntries',
        row: transactionEntriesRow,
        sql: `SELECT e.transaction_key AS key, count(*)::int AS n FROM ledger_entries e
      WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.key = e.transaction_key)
      GROUP BY e.transaction_key ORDER BY e.transaction_key`,
      },
      [],
    );
  }

  /** Transactions with fewer than two entries, in seq order, with how many they have. */
  async thinTransactions(): Promise<z.output<typeof transactionEntriesRow>[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.thinTransactions',
        row: transactionEntriesRow,
        sql: `SELECT t.key, count(e.line)::int AS n FROM ledger_transactions t
       LEFT JOIN ledger_entries e ON e.transaction_key = t.key
      GROUP BY t.key, t.seq HAVING count(e.line) < 2 ORDER BY t.seq`,
      },
      [],
    );
  }

  /** Each transaction's units whose entries do not sum to zero, with the sum. */
  async unbalancedTransactions(): Promise<z.output<typeof unitSumRow>[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.unbalancedTransactions',
        row: unitSumRow,
        sql: `SELECT t.key, e.unit, sum(e.amount)::text AS sum
       FROM ledger_entries e JOIN ledger_transactions t ON t.key = e.transaction_key
      GROUP BY t.key, t.seq, e.unit HAVING sum(e.amount) <> 0 ORDER BY t.seq, e.unit`,
      },
      [],
    );
  }

  /** The balances whose stored value differs from the sum of their entries. */
  async balanceMismatches(): Promise<z.output<typeof balanceMismatchRow>[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.balanceMismatches',
        row: balanceMismatchRow,
        sql: `SELECT coalesce(b.account, c.account) AS account, coalesce(b.unit, c.unit) AS unit,
            coalesce(b.balance, 0)::text AS stored, coalesce(c.balance, 0)::text AS computed
       FROM ledger_balances b
       FULL JOIN (SELECT account, unit, sum(amount) AS balance FROM ledger_entries GROUP BY account, unit) c
         ON c.account = b.account AND c.unit = b.unit
      WHERE coalesce(b.balance, 0) <> coalesce(c.balance, 0)
      ORDER BY 1, 2`,
      },
      [],
    );
  }

  /** From the entries: every token balance and the reserve's balance in the currency, in account order. */
  async reserveHoldings(currency: string): Promise<AccountBalance[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.reserveHoldings',
        row: accountBalanceRow,
        sql: `SELECT account, unit, sum(amount)::text AS balance FROM ledger_entries
      WHERE unit = $1 OR (unit = $2 AND account = $3) OR unit = $4
      GROUP BY account, unit ORDER BY account`,
      },
      [TOKEN_UNIT, currency, TreasuryAccount.reserve, TOKEN_UNIT],
    );
  }

  /** What outstanding tokens are valued at (`valuationOf` the treasury's candidates). */
  async valuation(): Promise<Price> {
    return valuationOf(await this.treasury.valuationCandidates(this.connection));
  }

  /**
   * The payables, in-transit and disbursed accounts with a negative balance in the currency, with what
   * adjustments debited each.
   */
  async negativePayables(currency: string): Promise<z.output<typeof payableBalanceRow>[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.negativePayables',
        row: payableBalanceRow,
        sql: `SELECT e.account, sum(e.amount)::text AS balance,
            coalesce(sum(-e.amount) FILTER (WHERE t.kind = $4 AND e.amount < 0), 0)::text AS adjustment_debits
       FROM ledger_entries e JOIN ledger_transactions t ON t.key = e.transaction_key
      WHERE e.unit = $1 AND (e.account LIKE 'payable:%' OR e.account IN ($2, $3))
      GROUP BY e.account HAVING sum(e.amount) < 0 ORDER BY e.account`,
      },
      [currency, TreasuryAccount.payoutsInTransit, TreasuryAccount.payoutsDisbursed, ADJUSTMENT_KIND],
    );
  }

  /** Per payment with refunds or disputes: what they reversed and burned, and what it paid and minted. */
  async paymentReversals(): Promise<PaymentReversals[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.paymentReversals',
        row: paymentReversalsRow,
        sql: `WITH reversal_entries AS (
       SELECT t.memo ->> 'paymentId' AS payment, e.account, e.amount
         FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
        WHERE t.kind IN ('refund', 'dispute_withdrawal', 'dispute_reinstatement'))
     SELECT r.payment,
            coalesce(sum(r.amount) FILTER (WHERE r.account IN ($1, $2)), 0)::text AS reversed,
            coalesce(-sum(r.amount) FILTER (WHERE r.account LIKE 'subscriber:%'), 0)::text AS burned,
            (SELECT (-e.amount)::text FROM ledger_entries e
              WHERE e.transaction_key = 'payment:' || r.payment AND e.account = $3) AS paid,
            (SELECT coalesce(t.memo ->> 'tokens', '0') FROM ledger_transactions t
              WHERE t.key = 'payment:' || r.payment) AS minted
       FROM reversal_entries r GROUP BY r.payment ORDER BY r.payment`,
      },
      [TreasuryAccount.paymentsRefunded, TreasuryAccount.refundLosses, TreasuryAccount.paymentsReceived],
    );
  }

  /** Refund accounts on the wrong side of zero: refunded or losses below it, the shortfall above it. */
  async refundAccountsOnWrongSide(): Promise<AccountBalance[]> {
    return queryRows(
      this.connection,
      {
        name: 'ledgerChecks.refundAccountsOnWrongSide',
        row: accountBalanceRow,
        sql: `SELECT account, unit, sum(amount)::text AS balance FROM ledger_entries WHERE account IN ($1, $2, $3)
      GROUP BY account, unit
     HAVING (account = $3 AND sum(amount) > 0) OR (account <> $3 AND sum(amount) < 0) ORDER BY account, unit`,
      },
      [TreasuryAccount.paymentsRefunded, TreasuryAccount.refundLosses, TreasuryAccount.refundShortfall],
    );
  }
}

import { uuidV7 } from '@onecommons/contracts';
import { type DataSource } from 'typeorm';
// The bench runs the ledger's own close and mint postings; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { type LedgerConfig } from '@onecommons/ledger/dist/src/config.js';
import { chainHash, GENESIS_HASH } from '@onecommons/ledger/dist/src/journal/hash-chain.js';
import { JournalRepository } from '@onecommons/ledger/dist/src/journal/journal.repository.js';
import { LedgerJournal } from '@onecommons/ledger/dist/src/journal/ledger-journal.js';
import { mintTransaction } from '@onecommons/ledger/dist/src/treasury/treasury-postings.js';
/* eslint-enable onecommons/module-boundaries */
import { benchSubscriberId, subscriberTokens, TOKEN_UNIT, UCC_PER_CC } from '../close-fixtures.js';
import { ledgerCloser } from '../ledger-closer.js';

/** The close bench's configuration (close.bench.ts): the ledger's defaults, anti-gaming knobs off. */
const closeConfig = (currency: string) =>
  ({
    LEDGER_CURRENCY: currency,
    LEDGER_RESERVE_BPS: 0,
    LEDGER_GENERAL_FUND_BPS: 500,
    LEDGER_MAX_DEPENDENCY_DEPTH: 3,
    LEDGER_CAP_WEIGHT_PER_SERVICE: null,
    LEDGER_MIN_SUBSCRIBERS_PER_SERVICE: null,
    LEDGER_CLOSE_GRACE_MINUTES: 180,
    METERING_LATE_EVENT_GRACE_MINUTES: 60,
    LEDGER_CLOSE_WAIT_SECONDS: 0,
    LEDGER_CLOSE_SCHEDULE_SECONDS: 60,
    LEDGER_CLOSE_REREQUEST_MINUTES: 5,
  }) as unknown as LedgerConfig;

/** `PeriodCloser.close(period, { force: true })` wired as the close bench wires it (`ledgerCloser`); returns its milliseconds. */
export async function closePeriod(db: DataSource, period: string, currency: string): Promise<number> {
  const config = closeConfig(currency);
  const closer = ledgerCloser(db, new LedgerJournal(new JournalRepository()), config);
  const started = performance.now();
  await closer.close(period, { force: true });
  return performance.now() - started;
}

const MINTS_PER_INSERT = 5_000;

/**
 * A month of captured payments as the treasury posts them (`Treasury.mintPayment`): per payment one transaction
 * from the ledger's `mintTransaction` (key `payment:<uuid v7>`, its memo, 4 entries), hash-chained, the escrow
 * balance it opens and the treasury balances. Written in bulk into a schema of its own: the close bench's
 * population mints in batches of 1,000 payments, which says nothing about a real mint's bytes.
 */
export async function populatePaymentMints(
  db: DataSource,
  { period, subscribers, currency }: { period: string; subscribers: number; currency: string },
): Promise<void> {
  let previousHash = GENESIS_HASH;
  let seq = 0n;
  for (let first = 1; first <= subscribers; first += MINTS_PER_INSERT) {
    const last = Math.min(subscribers, first + MINTS_PER_INSERT - 1);
    const transactions = { keys: [] as string[], seqs: [] as string[], memos: [] as string[] };
    const hashes = { prev: [] as string[], own: [] as string[] };
    const entries = { keys: [] as string[], lines: [] as number[], accounts: [] as string[] };
    const amounts = { units: [] as string[], values: [] as string[] };
    const escrows = { accounts: [] as string[], tokens: [] as string[] };
    for (let index = first; index <= last; index += 1) {
      const tokens = subscriberTokens(index);
      const { transaction } = mintTransaction(
        {
          paymentId: uuidV7(),
          subscriberId: benchSubscriberId(index),
          period,
          amountMinor: tokens / UCC_PER_CC,
          currency,
        },
        { num: 1n, den: 1n },
        0n,
      );
      seq += 1n;
      const lined = transaction.postings.map((posting, line) => ({ ...posting, line: line + 1 }));
      const hash = chainHash(previousHash, {
        seq,
        key: transaction.key,
        kind: transaction.kind,
        period: transaction.period ?? null,
        memo: transaction.memo,
        entries: lined,
      });
      transactions.keys.push(transaction.key);
      transactions.seqs.push(seq.toString());
      transactions.memos.push(JSON.stringify(transaction.memo));
      hashes.prev.push(previousHash);
      hashes.own.push(hash);
      previousHash = hash;
      for (const entry of lined) {
        entries.keys.push(transaction.key);
        entries.lines.push(entry.line);
        entries.accounts.push(entry.account);
        amounts.units.push(entry.unit);
        amounts.values.push(entry.amount.toString());
      }
      const escrow = lined.find((entry) => entry.unit === TOKEN_UNIT && entry.amount > 0n);
      if (escrow) {
        escrows.accounts.push(escrow.account);
        escrows.tokens.push(escrow.amount.toString());
      }
    }
    await db.query(
      `INSERT INTO ledger_transactions (key, seq, kind, period, memo, prev_hash, hash)
       SELECT k, s, 'mint', $1, m, p, h FROM unnest($2::text[], $3::bigint[], $4::jsonb[], $5::text[], $6::text[])
         AS t(k, s, m, p, h)`,
      [period, transactions.keys, transactions.seqs, transactions.memos, hashes.prev, hashes.own],
    );
    await db.query(
      `INSERT INTO ledger_entries (transaction_key, line, account, unit, amount)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::numeric[])`,
      [entries.keys, entries.lines, entries.accounts, amounts.units, amounts.values],
    );
    await db.query(
      `INSERT INTO ledger_balances (account, unit, balance)
       SELECT a, '${TOKEN_UNIT}', b FROM unnest($1::text[], $2::numeric[]) AS t(a, b)`,
      [escrows.accounts, escrows.tokens],
    );
  }
}

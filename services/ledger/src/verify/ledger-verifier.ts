import { type LedgerVerifyReportContract, type ReportOf } from '@onecommons/contracts';
import type pg from 'pg';
import { ADJUSTMENT_KIND } from '../adjustments/adjustment-plan.js';
import { TreasuryAccount } from '../treasury/accounts.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { ChainHasher, GENESIS_HASH } from '../journal/hash-chain.js';
import { valuationPrice } from '../treasury/period-prices.js';
import { proveReserve } from '../treasury/treasury-math.js';

type LedgerVerifyReport = ReportOf<typeof LedgerVerifyReportContract>;

export type CheckName = LedgerVerifyReport['violations'][number]['check'];

export type Violation = LedgerVerifyReport['violations'][number];

/** The report without the schema it was run on (the command adds it). */
export type VerifyReport = Omit<LedgerVerifyReport, 'schema'>;

const PAGE = 2_000;
const MAX_VIOLATIONS = 100;

interface ChainRow {
  seq: string;
  key: string;
  kind: string;
  period: string | null;
  memo: Record<string, string>;
  prev_hash: string;
  hash: string;
}

interface EntryRow {
  seq: string;
  line: number;
  account: string;
  unit: string;
  amount: string;
}

/** Entries fetched at a time while the chain is checked: a close has one per subscriber. */
const ENTRY_BATCH = 10_000;

/**
 * Checks the ledger from its entries alone, in one read-only snapshot: the hash chain links and every hash
 * matches its transaction; every entry belongs to a transaction and every transaction has ≥2 entries summing to zero per unit; the balance
 * projection equals the entries; the reserve invariant holds; no payee is paid more than it was owed (a payable is
 * negative only by what adjustments debited it); no payment is refunded (or disputed) beyond what it paid, nor
 * burns more tokens than it minted.
 */
export async function verifyLedger(client: pg.ClientBase, currency: string): Promise<VerifyReport> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const violations: Violation[] = [];
    const add = (check: CheckName, message: string) => {
      if (violations.length < MAX_VIOLATIONS) violations.push({ check, message });
    };
    const chain = await verifyChain(client, (message) => add('chain', message));
    await verifyZeroSums(client, (message) => add('zero_sum', message));
    await verifyBalances(client, (message) => add('balances', message));
    const reserve = await verifyReserve(client, currency, (message) => add('reserve', message));
    await verifyPayables(client, currency, (message) => add('payables', message));
    await verifyReversals(client, (message) => add('reversals', message));
    const [{ entries } = { entries: 0 }] = (
      await client.query<{ entries: number }>('SELECT count(*)::int AS entries FROM ledger_entries')
    ).rows;
    return {
      ok: violations.length === 0,
      transactions: chain.transactions,
      entries,
      head: chain.head,
      reserve,
      firstViolation: violations[0]?.message ?? null,
      violations,
    };
  } finally {
    await client.query('COMMIT');
  }
}

async function verifyChain(
  client: pg.ClientBase,
  report: (message: string) => void,
): Promise<{ transactions: number; head: string }> {
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let after = '0';
  let transactions = 0;
  for (;;) {
    const { rows } = await client.query<ChainRow>(
      `SELECT t.seq::text AS seq, t.key, t.kind, t.period, t.memo, t.prev_hash, t.hash
         FROM ledger_transactions t WHERE t.seq > $1 ORDER BY t.seq LIMIT ${PAGE}`,
      [after],
    );
    const last = rows[rows.length - 1];
    if (!last) break;
    const entries = entriesInChainOrder(client, after, last.seq);
    let next = await entries.next();
    for (const row of rows) {
      const seq = BigInt(row.seq);
      const name = `transaction ${row.key} (seq ${row.seq})`;
      if (seq !== expectedSeq) report(`${name}: expected seq ${expectedSeq}; the chain has a gap`);
      if (row.prev_hash !== previousHash) {
        report(`${name}: prev_hash ${row.prev_hash} does not link to the previous hash ${previousHash}`);
      }
      // Hashed entry by entry as they stream in: one transaction may hold millions of them.
      const hasher = new ChainHasher(row.prev_hash, { ...row, seq });
      for (; !next.done && next.value.seq === row.seq; next = await entries.next())
        hasher.add({ ...next.value, amount: BigInt(next.value.amount) });
      if (hasher.digest() !== row.hash) report(`${name}: hash does not match its contents (tampered)`);
      previousHash = row.hash;
      expectedSeq = seq + 1n;
      transactions += 1;
    }
    while (!next.done) next = await entries.next();
    if (rows.length < PAGE) break;
    after = last.seq;
  }
  return { transactions, head: previousHash };
}

/** The entries of the transactions with `after < seq <= last`, by seq then line, through a cursor. */
async function* entriesInChainOrder(
  client: pg.ClientBase,
  after: string,
  last: string,
): AsyncGenerator<EntryRow> {
  // Both bounds are seqs read from the journal (digits only): DECLARE takes no parameters.
  await client.query(
    `DECLARE chain_entries NO SCROLL CURSOR FOR
       SELECT t.seq::text AS seq, e.line, e.account, e.unit, e.amount::text AS amount
         FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
        WHERE t.seq > ${BigInt(after)} AND t.seq <= ${BigInt(last)} ORDER BY t.seq, e.line`,
  );
  try {
    for (;;) {
      const { rows } = await client.query<EntryRow>(`FETCH ${ENTRY_BATCH} FROM chain_entries`);
      yield* rows;
      if (rows.length < ENTRY_BATCH) break;
    }
  } finally {
    await client.query('CLOSE chain_entries');
  }
}

async function verifyZeroSums(client: pg.ClientBase, report: (message: string) => void): Promise<void> {
  // The journal writes a streamed transaction's entries before its header, without a per-row reference check.
  const { rows: orphans } = await client.query<{ key: string; n: number }>(
    `SELECT e.transaction_key AS key, count(*)::int AS n FROM ledger_entries e
      WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.key = e.transaction_key)
      GROUP BY e.transaction_key ORDER BY e.transaction_key`,
  );
  for (const row of orphans) report(`${row.n} entries of ${row.key} belong to no transaction in the chain`);
  const { rows: thin } = await client.query<{ key: string; n: number }>(
    `SELECT t.key, count(e.line)::int AS n FROM ledger_transactions t
       LEFT JOIN ledger_entries e ON e.transaction_key = t.key
      GROUP BY t.key, t.seq HAVING count(e.line) < 2 ORDER BY t.seq`,
  );
  for (const row of thin) report(`transaction ${row.key}: ${row.n} entries, not at least 2`);
  const { rows } = await client.query<{ key: string; unit: string; sum: string }>(
    `SELECT t.key, e.unit, sum(e.amount)::text AS sum
       FROM ledger_entries e JOIN ledger_transactions t ON t.key = e.transaction_key
      GROUP BY t.key, t.seq, e.unit HAVING sum(e.amount) <> 0 ORDER BY t.seq, e.unit`,
  );
  for (const row of rows) report(`transaction ${row.key}: ${row.unit} sums to ${row.sum}, not 0`);
}

async function verifyBalances(client: pg.ClientBase, report: (message: string) => void): Promise<void> {
  const { rows } = await client.query<{ account: string; unit: string; stored: string; computed: string }>(
    `SELECT coalesce(b.account, c.account) AS account, coalesce(b.unit, c.unit) AS unit,
            coalesce(b.balance, 0)::text AS stored, coalesce(c.balance, 0)::text AS computed
       FROM ledger_balances b
       FULL JOIN (SELECT account, unit, sum(amount) AS balance FROM ledger_entries GROUP BY account, unit) c
         ON c.account = b.account AND c.unit = b.unit
      WHERE coalesce(b.balance, 0) <> coalesce(c.balance, 0)
      ORDER BY 1, 2`,
  );
  for (const row of rows) {
    report(`balance ${row.account} ${row.unit} is ${row.stored}, but its entries sum to ${row.computed}`);
  }
}

async function verifyReserve(
  client: pg.ClientBase,
  currency: string,
  report: (message: string) => void,
): Promise<VerifyReport['reserve']> {
  // From the entries, not the projection: the balances check above is what ties the two together.
  const { rows } = await client.query<{ account: string; unit: string; balance: string }>(
    `SELECT account, unit, sum(amount)::text AS balance FROM ledger_entries
      WHERE unit = $1 OR (unit = $2 AND account = $3) OR unit = $4
      GROUP BY account, unit ORDER BY account`,
    [TOKEN_UNIT, currency, TreasuryAccount.reserve, TOKEN_UNIT],
  );
  const price = await valuationPrice(async (sql, parameters) => (await client.query(sql, parameters)).rows);
  let reserve = 0n;
  let issued = 0n;
  const holdings: bigint[] = [];
  for (const row of rows) {
    const balance = BigInt(row.balance);
    if (row.unit !== TOKEN_UNIT) reserve = balance;
    else if (row.account === TreasuryAccount.issued) issued = balance;
    else if (balance < 0n)
      report(`account ${row.account} holds ${balance} uCC; only ${TreasuryAccount.issued} may be negative`);
    else if (balance > 0n) holdings.push(balance);
  }
  const proof = proveReserve({ reserve, holdings, price });
  if (proof.outstanding !== -issued) {
    report(`tokens held (${proof.outstanding} uCC) differ from tokens issued (${-issued} uCC)`);
  }
  if (!proof.holds) {
    report(
      `reserve invariant: reserve ${reserve} ${currency} is less than the ${proof.claims} the outstanding ` +
        `${proof.outstanding} uCC redeem for at ${price.num}/${price.den}`,
    );
  }
  return {
    currency,
    reserve: reserve.toString(),
    outstanding: proof.outstanding.toString(),
    price: `${price.num}/${price.den}`,
    claims: proof.claims.toString(),
    residue: proof.residue.toString(),
  };
}

/**
 * Payouts only move what was payable: no in-transit or disbursed balance in the treasury currency (the only one
 * redemptions pay in) is ever negative, and a payable balance is negative only as far as adjustments of closed
 * periods debited it (docs/trust-rules.md: netted against later payouts, never paid below zero).
 */
async function verifyPayables(
  client: pg.ClientBase,
  currency: string,
  report: (message: string) => void,
): Promise<void> {
  const { rows } = await client.query<{ account: string; balance: string; adjustment_debits: string }>(
    `SELECT e.account, sum(e.amount)::text AS balance,
            coalesce(sum(-e.amount) FILTER (WHERE t.kind = $4 AND e.amount < 0), 0)::text AS adjustment_debits
       FROM ledger_entries e JOIN ledger_transactions t ON t.key = e.transaction_key
      WHERE e.unit = $1 AND (e.account LIKE 'payable:%' OR e.account IN ($2, $3))
      GROUP BY e.account HAVING sum(e.amount) < 0 ORDER BY e.account`,
    [currency, TreasuryAccount.payoutsInTransit, TreasuryAccount.payoutsDisbursed, ADJUSTMENT_KIND],
  );
  for (const row of rows) {
    const balance = BigInt(row.balance);
    const debits = BigInt(row.adjustment_debits);
    if (!row.account.startsWith('payable:'))
      report(`account ${row.account} holds ${balance} ${currency}; it may not be negative`);
    else if (balance + debits < 0n)
      report(
        `account ${row.account} holds ${balance} ${currency}; adjustment debits explain only -${debits}: it was paid more than it was owed`,
      );
  }
}

/**
 * Refunds and disputes, from the entries: per payment, the currency gone back out (to `payments:refunded` or
 * `treasury:refund-losses`, net of reinstatements) is between 0 and what the payment paid, and the tokens its
 * reversals burned between 0 and what it minted; neither account is ever negative, nor the shortfall positive.
 */
async function verifyReversals(client: pg.ClientBase, report: (message: string) => void): Promise<void> {
  const { rows } = await client.query<{
    payment: string;
    reversed: string;
    burned: string;
    paid: string | null;
    minted: string | null;
  }>(
    `WITH reversal_entries AS (
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
    [TreasuryAccount.paymentsRefunded, TreasuryAccount.refundLosses, TreasuryAccount.paymentsReceived],
  );
  for (const row of rows) {
    if (row.paid === null || row.minted === null) {
      report(`payment ${row.payment} has refunds or disputes but was never captured`);
      continue;
    }
    const [reversed, burned, paid, minted] = [row.reversed, row.burned, row.paid, row.minted].map(BigInt) as [
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    if (reversed < 0n || reversed > paid)
      report(`payment ${row.payment}: ${reversed} reversed of the ${paid} it paid`);
    if (burned < 0n || burned > minted)
      report(`payment ${row.payment}: its reversals burned ${burned} uCC of the ${minted} it minted`);
  }
  const { rows: accounts } = await client.query<{ account: string; unit: string; balance: string }>(
    `SELECT account, unit, sum(amount)::text AS balance FROM ledger_entries WHERE account IN ($1, $2, $3)
      GROUP BY account, unit
     HAVING (account = $3 AND sum(amount) > 0) OR (account <> $3 AND sum(amount) < 0) ORDER BY account, unit`,
    [TreasuryAccount.paymentsRefunded, TreasuryAccount.refundLosses, TreasuryAccount.refundShortfall],
  );
  for (const row of accounts)
    report(`account ${row.account} holds ${row.balance} ${row.unit}, on the wrong side of 0`);
}

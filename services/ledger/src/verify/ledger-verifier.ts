import { type LedgerVerifyReportContract, type ReportOf } from '@onecommons/contracts';
import type pg from 'pg';
import { TreasuryAccount } from '../treasury/accounts.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { ChainHasher, GENESIS_HASH } from '../journal/hash-chain.js';
import { proveReserve } from '../treasury/treasury-math.js';
import { LedgerChecksRepository } from './ledger-checks.repository.js';

type LedgerVerifyReport = ReportOf<typeof LedgerVerifyReportContract>;

export type CheckName = LedgerVerifyReport['violations'][number]['check'];

export type Violation = LedgerVerifyReport['violations'][number];

/** The report without the schema it was run on (the command adds it). */
export type VerifyReport = Omit<LedgerVerifyReport, 'schema'>;

const PAGE = 2_000;
const MAX_VIOLATIONS = 100;

/**
 * Checks the ledger from its entries alone, in one read-only snapshot: the hash chain links and every hash
 * matches its transaction; every entry belongs to a transaction and every transaction has ≥2 entries summing to zero per unit; the balance
 * projection equals the entries; the reserve invariant holds; no payee is paid more than it was owed (a payable is
 * negative only by what adjustments debited it); no payment is refunded (or disputed) beyond what it paid, nor
 * burns more tokens than it minted.
 */
export async function verifyLedger(client: pg.ClientBase, currency: string): Promise<VerifyReport> {
  const ledger = new LedgerChecksRepository(client);
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const violations: Violation[] = [];
    const add = (check: CheckName, message: string) => {
      if (violations.length < MAX_VIOLATIONS) violations.push({ check, message });
    };
    const chain = await verifyChain(ledger, (message) => add('chain', message));
    await verifyZeroSums(ledger, (message) => add('zero_sum', message));
    await verifyBalances(ledger, (message) => add('balances', message));
    const reserve = await verifyReserve(ledger, currency, (message) => add('reserve', message));
    await verifyPayables(ledger, currency, (message) => add('payables', message));
    await verifyReversals(ledger, (message) => add('reversals', message));
    const entries = await ledger.entryCount();
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
  ledger: LedgerChecksRepository,
  report: (message: string) => void,
): Promise<{ transactions: number; head: string }> {
  let previousHash = GENESIS_HASH;
  let expectedSeq = 1n;
  let after = 0n;
  let transactions = 0;
  for (;;) {
    const rows = await ledger.transactionsAfter(after, PAGE);
    const last = rows[rows.length - 1];
    if (!last) break;
    const entries = ledger.entriesInChainOrder(after, last.seq);
    let next = await entries.next();
    for (const row of rows) {
      const name = `transaction ${row.key} (seq ${row.seq})`;
      if (row.seq !== expectedSeq) report(`${name}: expected seq ${expectedSeq}; the chain has a gap`);
      if (row.prevHash !== previousHash) {
        report(`${name}: prev_hash ${row.prevHash} does not link to the previous hash ${previousHash}`);
      }
      // Hashed entry by entry as they stream in: one transaction may hold millions of them.
      const hasher = new ChainHasher(row.prevHash, row);
      for (; !next.done && next.value.seq === row.seq; next = await entries.next()) hasher.add(next.value);
      if (hasher.digest() !== row.hash) report(`${name}: hash does not match its contents (tampered)`);
      previousHash = row.hash;
      expectedSeq = row.seq + 1n;
      transactions += 1;
    }
    while (!next.done) next = await entries.next();
    if (rows.length < PAGE) break;
    after = last.seq;
  }
  return { transactions, head: previousHash };
}

async function verifyZeroSums(
  ledger: LedgerChecksRepository,
  report: (message: string) => void,
): Promise<void> {
  // The journal writes a streamed transaction's entries before its header, without a per-row reference check.
  for (const row of await ledger.orphanEntries())
    report(`${row.n} entries of ${row.key} belong to no transaction in the chain`);
  for (const row of await ledger.thinTransactions())
    report(`transaction ${row.key}: ${row.n} entries, not at least 2`);
  for (const row of await ledger.unbalancedTransactions())
    report(`transaction ${row.key}: ${row.unit} sums to ${row.sum}, not 0`);
}

async function verifyBalances(
  ledger: LedgerChecksRepository,
  report: (message: string) => void,
): Promise<void> {
  for (const row of await ledger.balanceMismatches()) {
    report(`balance ${row.account} ${row.unit} is ${row.stored}, but its entries sum to ${row.computed}`);
  }
}

async function verifyReserve(
  ledger: LedgerChecksRepository,
  currency: string,
  report: (message: string) => void,
): Promise<VerifyReport['reserve']> {
  // From the entries, not the projection: the balances check above is what ties the two together.
  const rows = await ledger.reserveHoldings(currency);
  const price = await ledger.valuation();
  let reserve = 0n;
  let issued = 0n;
  const holdings: bigint[] = [];
  for (const row of rows) {
    const balance = row.balance;
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
  ledger: LedgerChecksRepository,
  currency: string,
  report: (message: string) => void,
): Promise<void> {
  for (const row of await ledger.negativePayables(currency)) {
    const { balance, adjustmentDebits: debits } = row;
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
async function verifyReversals(
  ledger: LedgerChecksRepository,
  report: (message: string) => void,
): Promise<void> {
  for (const row of await ledger.paymentReversals()) {
    const { reversed, burned, paid, minted } = row;
    if (paid === null || minted === null) {
      report(`payment ${row.payment} has refunds or disputes but was never captured`);
      continue;
    }
    if (reversed < 0n || reversed > paid)
      report(`payment ${row.payment}: ${reversed} reversed of the ${paid} it paid`);
    if (burned < 0n || burned > minted)
      report(`payment ${row.payment}: its reversals burned ${burned} uCC of the ${minted} it minted`);
  }
  for (const row of await ledger.refundAccountsOnWrongSide())
    report(`account ${row.account} holds ${row.balance} ${row.unit}, on the wrong side of 0`);
}

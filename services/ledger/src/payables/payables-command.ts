import { PayablesReportContract, type ReportOf, reportLine } from '@onecommons/contracts';
import { sessionDatabaseUrlOf } from '@onecommons/persistence';
import { loadConfigOrExit } from '@onecommons/service-kit';
import pg from 'pg';
import { ledgerConfigSchema } from '../config.js';
import { ADJUSTMENT_KIND } from '../adjustments/adjustment-plan.js';
import { TreasuryAccount } from '../treasury/accounts.js';

export type PayablesReport = ReportOf<typeof PayablesReportContract>;

/** What the ledger says payouts owe and paid: the ledger's half of `commons payouts reconcile`. */
export async function payablesReport(
  client: pg.ClientBase,
  period: string,
  currency: string,
): Promise<PayablesReport> {
  const redeemed = await client.query<{ holder: string; amount: string }>(
    `SELECT t.memo ->> 'holder' AS holder, e.amount::text AS amount
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
      WHERE t.kind = 'redeem' AND t.period = $1 AND e.unit = $2 AND e.account = 'payable:' || (t.memo ->> 'holder')
      ORDER BY holder`,
    [period, currency],
  );
  const adjusted = await client.query<{ holder: string; amount: string }>(
    `SELECT substr(e.account, length('payable:') + 1) AS holder, sum(e.amount)::text AS amount
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
      WHERE t.kind = $3 AND t.period = $1 AND e.unit = $2 AND e.account LIKE 'payable:%'
      GROUP BY e.account ORDER BY e.account`,
    [period, currency, ADJUSTMENT_KIND],
  );
  const balances = await client.query<{ account: string; balance: string }>(
    `SELECT account, balance::text AS balance FROM ledger_balances
      WHERE unit = $1 AND (account LIKE 'payable:%' OR account IN ($2, $3)) ORDER BY account`,
    [currency, TreasuryAccount.payoutsInTransit, TreasuryAccount.payoutsDisbursed],
  );
  const balanceOf = (account: string) => balances.rows.find((row) => row.account === account)?.balance ?? '0';
  return {
    period,
    currency,
    redeemed: Object.fromEntries(redeemed.rows.map((row) => [row.holder, row.amount])),
    adjusted: Object.fromEntries(adjusted.rows.map((row) => [row.holder, row.amount])),
    payable: Object.fromEntries(
      balances.rows
        .filter((row) => row.account.startsWith('payable:'))
        .map((row) => [row.account.slice('payable:'.length), row.balance]),
    ),
    inTransit: balanceOf(TreasuryAccount.payoutsInTransit),
    disbursed: balanceOf(TreasuryAccount.payoutsDisbursed),
  };
}

export interface PayablesCommandOptions {
  readonly period: string;
}

/** `payables --period P`: prints one JSON line `{"payables": …}` (read-only, as the runtime role). */
export async function runPayablesCommand({ period }: PayablesCommandOptions): Promise<never> {
  const config = loadConfigOrExit('ledger', ledgerConfigSchema);
  const client = new pg.Client({
    connectionString: sessionDatabaseUrlOf(config), // SET search_path outlives a transaction
    application_name: 'ledger:payables',
  });
  await client.connect();
  try {
    await client.query(`SET search_path TO ${pg.escapeIdentifier(config.DATABASE_SCHEMA ?? 'ledger')}`);
    const report = await payablesReport(client, period, config.LEDGER_CURRENCY);
    process.stdout.write(reportLine(PayablesReportContract, report));
  } finally {
    await client.end();
  }
  process.exit(0);
}

import { PayablesReportContract, type ReportOf, reportLine } from '@onecommons/contracts';
import { sessionDatabaseUrlOf } from '@onecommons/persistence';
import { loadConfigOrExit } from '@onecommons/service-kit';
import pg from 'pg';
import { ledgerConfigSchema } from '../config.js';
import { TreasuryAccount } from '../treasury/accounts.js';
import { PayablesReportRepository } from './payables-report.repository.js';

export type PayablesReport = ReportOf<typeof PayablesReportContract>;

/** What the ledger says payouts owe and paid: the ledger's half of `commons payouts reconcile`. */
export async function payablesReport(
  client: pg.ClientBase,
  period: string,
  currency: string,
): Promise<PayablesReport> {
  const journal = new PayablesReportRepository(client);
  const redeemed = await journal.redeemed(period, currency);
  const adjusted = await journal.adjusted(period, currency);
  const balances = await journal.payoutBalances(currency);
  const balanceOf = (account: string) => balances.find((row) => row.account === account)?.balance ?? '0';
  return {
    period,
    currency,
    redeemed: Object.fromEntries(redeemed.map((row) => [row.holder, row.amount])),
    adjusted: Object.fromEntries(adjusted.map((row) => [row.holder, row.amount])),
    payable: Object.fromEntries(
      balances
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

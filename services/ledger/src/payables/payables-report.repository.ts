import { type Queryable, queryRows, clientQueryable } from '@onecommons/persistence';
import type pg from 'pg';
import { z } from 'zod';
import { ADJUSTMENT_KIND } from '../adjustments/adjustment-plan.js';
import { wholeNumberText } from '../periods/period-closes.repository.js';
import { TreasuryAccount } from '../treasury/accounts.js';

/** A holder's amount in minor units, as text (the report prints it as it is). */
export interface HolderAmount {
  readonly holder: string;
  readonly amount: string;
}

export interface PayoutBalance {
  readonly account: string;
  readonly balance: string;
}

const holderAmountRow = z.object({ holder: z.string(), amount: wholeNumberText });

const payoutBalanceRow = z.object({ account: z.string(), balance: wholeNumberText });

/** What the payables report reads of the journal: a period's redemptions and adjustments, payout balances. */
export class PayablesReportRepository {
  private readonly connection: Queryable;

  constructor(client: pg.ClientBase) {
    this.connection = clientQueryable(client);
  }

  /** What each holder's redemptions of the period made payable, in holder order. */
  async redeemed(period: string, currency: string): Promise<HolderAmount[]> {
    return queryRows(
      this.connection,
      {
        name: 'payablesReport.redeemed',
        row: holderAmountRow,
        sql: `SELECT t.memo ->> 'holder' AS holder, e.amount::text AS amount
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
      WHERE t.kind = 'redeem' AND t.period = $1 AND e.unit = $2 AND e.account = 'payable:' || (t.memo ->> 'holder')
      ORDER BY holder`,
      },
      [period, currency],
    );
  }

  /** What adjustments posted in the period changed of each holder's payable, in holder order. */
  async adjusted(period: string, currency: string): Promise<HolderAmount[]> {
    return queryRows(
      this.connection,
      {
        name: 'payablesReport.adjusted',
        row: holderAmountRow,
        sql: `SELECT substr(e.account, length('payable:') + 1) AS holder, sum(e.amount)::text AS amount
       FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
      WHERE t.kind = $3 AND t.period = $1 AND e.unit = $2 AND e.account LIKE 'payable:%'
      GROUP BY e.account ORDER BY e.account`,
      },
      [period, currency, ADJUSTMENT_KIND],
    );
  }

  /** The payable, in-transit and disbursed balances in the currency, in account order. */
  async payoutBalances(currency: string): Promise<PayoutBalance[]> {
    return queryRows(
      this.connection,
      {
        name: 'payablesReport.payoutBalances',
        row: payoutBalanceRow,
        sql: `SELECT account, balance::text AS balance FROM ledger_balances
      WHERE unit = $1 AND (account LIKE 'payable:%' OR account IN ($2, $3)) ORDER BY account`,
      },
      [currency, TreasuryAccount.payoutsInTransit, TreasuryAccount.payoutsDisbursed],
    );
  }
}

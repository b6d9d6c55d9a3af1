import { Injectable } from '@nestjs/common';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { PAYABLE_MOVES } from '../balances/balances.repository.js';
import { PAYOUT_STATES } from '../execution/payouts.repository.js';
import { railColumn } from '../payees/payees.repository.js';

/** An amount per payee. */
export type PayeeAmounts = ReadonlyMap<string, bigint>;

export interface PayoutTotals {
  /** Scheduled, submitting or submitted. */
  readonly inTransitMinor: bigint;
  readonly disbursedMinor: bigint;
}

/** A batch's lines summed by what the batch did with them. */
export interface BatchLineSums {
  readonly carriedMinor: bigint;
  /** Held lines with a positive balance. */
  readonly heldMinor: bigint;
  /** Negative lines, whatever their outcome. */
  readonly owingMinor: bigint;
  readonly paidMinor: bigint;
}

export interface ReportedPayout {
  readonly id: string;
  readonly payee: string;
  readonly amountMinor: bigint;
  readonly state: (typeof PAYOUT_STATES)[number];
  readonly rail: z.output<typeof railColumn>;
  readonly reference: string | null;
}

// Parameter `$n` is the currency, or null for all of them.
const inCurrency = (n: number) => `($${n}::text IS NULL OR currency = $${n})`;

const payeeAmountRow = z.object({ payee: z.string(), amount: bigintText });

const payoutTotalsRow = z
  .object({ in_transit: bigintText, disbursed: bigintText })
  .transform((row): PayoutTotals => ({ inTransitMinor: row.in_transit, disbursedMinor: row.disbursed }));

const batchLineSumsRow = z
  .object({ period: z.string(), carried: bigintText, held: bigintText, owing: bigintText, paid: bigintText })
  .transform((row): BatchLineSums => ({
    carriedMinor: row.carried,
    heldMinor: row.held,
    owingMinor: row.owing,
    paidMinor: row.paid,
  }));

const reportedPayoutRow = z
  .object({
    id: z.string(),
    payee: z.string(),
    amount_minor: bigintText,
    state: z.enum(PAYOUT_STATES),
    rail: railColumn,
    reference: z.string().nullable(),
  })
  .transform((row): ReportedPayout => ({
    id: row.id,
    payee: row.payee,
    amountMinor: row.amount_minor,
    state: row.state,
    rail: row.rail,
    reference: row.reference,
  }));

const byPayee = (rows: readonly z.output<typeof payeeAmountRow>[]): PayeeAmounts =>
  new Map(rows.map((row) => [row.payee, row.amount]));

/** What the reconcile report reads: credits, adjustments, balances, payouts and the batch, in a currency or all. */
@Injectable()
export class PayoutsReportRepository {
  /** The period's credits summed per payee. */
  async creditsIn(manager: EntityManager, period: string, currency: string | null): Promise<PayeeAmounts> {
    const rows = await queryRows(
      manager,
      {
        name: 'payoutsReport.creditsIn',
        row: payeeAmountRow,
        sql: `SELECT payee, sum(amount_minor)::text AS amount FROM payable_credits WHERE period = $1 AND ${inCurrency(2)}
               GROUP BY payee ORDER BY payee`,
      },
      [period, currency],
    );
    return byPayee(rows);
  }

  /** The adjustments posted in the period summed per payee. */
  async adjustmentsIn(
    manager: EntityManager,
    period: string,
    currency: string | null,
  ): Promise<PayeeAmounts> {
    const rows = await queryRows(
      manager,
      {
        name: 'payoutsReport.adjustmentsIn',
        row: payeeAmountRow,
        sql: `SELECT payee, sum(amount_minor)::text AS amount FROM payable_adjustments WHERE period = $1 AND ${inCurrency(2)}
               GROUP BY payee ORDER BY payee`,
      },
      [period, currency],
    );
    return byPayee(rows);
  }

  /** Every payee's payable balance now. */
  async payable(manager: EntityManager, currency: string | null): Promise<PayeeAmounts> {
    const rows = await queryRows(
      manager,
      {
        name: 'payoutsReport.payable',
        row: payeeAmountRow,
        sql: `SELECT payee, sum(amount)::text AS amount FROM (${PAYABLE_MOVES}) moves WHERE ${inCurrency(1)}
               GROUP BY payee ORDER BY payee`,
      },
      [currency],
    );
    return byPayee(rows);
  }

  /** Every batch's payouts under way and paid. */
  async payoutTotals(manager: EntityManager, currency: string | null): Promise<PayoutTotals | null> {
    const [totals] = await queryRows(
      manager,
      {
        name: 'payoutsReport.payoutTotals',
        row: payoutTotalsRow,
        sql: `SELECT coalesce(sum(amount_minor) FILTER (WHERE state IN ('scheduled', 'submitting', 'submitted')), 0)::text AS in_transit,
                     coalesce(sum(amount_minor) FILTER (WHERE state = 'succeeded'), 0)::text AS disbursed
                FROM payouts WHERE ${inCurrency(1)}`,
      },
      [currency],
    );
    return totals ?? null;
  }

  /** Null until the period's batch exists. */
  async batchLineSums(
    manager: EntityManager,
    period: string,
    currency: string | null,
  ): Promise<BatchLineSums | null> {
    const [batch] = await queryRows(
      manager,
      {
        name: 'payoutsReport.batchLineSums',
        row: batchLineSumsRow,
        sql: `SELECT b.period,
                     coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'carried' AND ${inCurrency(2)}), 0)::text AS carried,
                     coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'held' AND available_minor > 0 AND ${inCurrency(2)}), 0)::text AS held,
                     coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND available_minor < 0 AND ${inCurrency(2)}), 0)::text AS owing,
                     coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'paid' AND ${inCurrency(2)}), 0)::text AS paid
                FROM payout_batches b WHERE b.period = $1`,
      },
      [period, currency],
    );
    return batch ?? null;
  }

  /** The batch's payouts in id order. */
  async payoutsOf(
    manager: EntityManager,
    period: string,
    currency: string | null,
  ): Promise<ReportedPayout[]> {
    return queryRows(
      manager,
      {
        name: 'payoutsReport.payoutsOf',
        row: reportedPayoutRow,
        sql: `SELECT id, payee, amount_minor::text AS amount_minor, state, rail, reference FROM payouts
               WHERE period = $1 AND ${inCurrency(2)} ORDER BY id`,
      },
      [period, currency],
    );
  }
}

import { type PayoutsReportContract, type ReportOf } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';
import { PAYABLE_MOVES } from '../balances/payable-balances.js';
import { type RailTransferRecord } from '../rails/payout-rail.js';

/**
 * Payouts' half of `commons payouts reconcile`: its credits, adjustments, balances, the batch, and the rail's
 * transfers, in one currency (the ledger's) or, without one, in all.
 */
export type PayoutsReport = ReportOf<typeof PayoutsReportContract>;

const sumBy = (rows: readonly { payee: string; amount: string }[]) =>
  Object.fromEntries(rows.map((row) => [row.payee, row.amount]));

export async function payoutsReport(
  manager: EntityManager,
  period: string,
  currency: string | null,
  transfers: AsyncIterable<RailTransferRecord>,
): Promise<PayoutsReport> {
  // Parameter `$n` is the currency, or null for all of them.
  const inCurrency = (n: number) => `($${n}::text IS NULL OR currency = $${n})`;
  const credits = (await manager.query(
    `SELECT payee, sum(amount_minor)::text AS amount FROM payable_credits WHERE period = $1 AND ${inCurrency(2)}
      GROUP BY payee ORDER BY payee`,
    [period, currency],
  )) as { payee: string; amount: string }[];
  const adjustments = (await manager.query(
    `SELECT payee, sum(amount_minor)::text AS amount FROM payable_adjustments WHERE period = $1 AND ${inCurrency(2)}
      GROUP BY payee ORDER BY payee`,
    [period, currency],
  )) as { payee: string; amount: string }[];
  const payable = (await manager.query(
    `SELECT payee, sum(amount)::text AS amount FROM (${PAYABLE_MOVES}) moves WHERE ${inCurrency(1)}
      GROUP BY payee ORDER BY payee`,
    [currency],
  )) as { payee: string; amount: string }[];
  const [totals] = (await manager.query(
    `SELECT coalesce(sum(amount_minor) FILTER (WHERE state IN ('scheduled', 'submitting', 'submitted')), 0)::text AS in_transit,
            coalesce(sum(amount_minor) FILTER (WHERE state = 'succeeded'), 0)::text AS disbursed
       FROM payouts WHERE ${inCurrency(1)}`,
    [currency],
  )) as { in_transit: string; disbursed: string }[];
  const [batch] = (await manager.query(
    `SELECT b.period,
            coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'carried' AND ${inCurrency(2)}), 0)::text AS carried,
            coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'held' AND available_minor > 0 AND ${inCurrency(2)}), 0)::text AS held,
            coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND available_minor < 0 AND ${inCurrency(2)}), 0)::text AS owing,
            coalesce((SELECT sum(available_minor) FROM batch_lines WHERE period = b.period AND outcome = 'paid' AND ${inCurrency(2)}), 0)::text AS paid
       FROM payout_batches b WHERE b.period = $1`,
    [period, currency],
  )) as { period: string; carried: string; held: string; owing: string; paid: string }[];
  const payouts = (await manager.query(
    `SELECT id, payee, amount_minor::text AS amount_minor, state, rail, reference FROM payouts
      WHERE period = $1 AND ${inCurrency(2)} ORDER BY id`,
    [period, currency],
  )) as {
    id: string;
    payee: string;
    amount_minor: string;
    state: string;
    rail: string;
    reference: string | null;
  }[];
  const railTransfers: PayoutsReport['transfers'][number][] = [];
  for await (const transfer of transfers)
    if (currency === null || transfer.currency === currency)
      railTransfers.push({
        reference: transfer.reference,
        payoutId: transfer.payoutId,
        amountMinor: transfer.amountMinor.toString(),
        reversedMinor: transfer.reversedMinor.toString(),
      });
  return {
    period,
    currency,
    credits: sumBy(credits),
    adjustments: sumBy(adjustments),
    payable: sumBy(payable),
    inTransit: totals?.in_transit ?? '0',
    disbursed: totals?.disbursed ?? '0',
    batch: {
      exists: batch !== undefined,
      carried: batch?.carried ?? '0',
      held: batch?.held ?? '0',
      owing: batch?.owing ?? '0',
      linesPaid: batch?.paid ?? '0',
    },
    payouts: payouts.map((row) => ({
      id: row.id,
      payee: row.payee,
      amountMinor: row.amount_minor,
      state: row.state,
      rail: row.rail,
      reference: row.reference,
    })),
    transfers: railTransfers,
  };
}

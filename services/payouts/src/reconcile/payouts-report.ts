import { type PayoutsReportContract, type ReportOf } from '@onecommons/contracts';
import { type EntityManager } from 'typeorm';
import { type RailTransferRecord } from '../rails/payout-rail.js';
import { type PayeeAmounts, type PayoutsReportRepository } from './payouts-report.repository.js';

/**
 * Payouts' half of `commons payouts reconcile`: its credits, adjustments, balances, the batch, and the rail's
 * transfers, in one currency (the ledger's) or, without one, in all.
 */
export type PayoutsReport = ReportOf<typeof PayoutsReportContract>;

const sumBy = (amounts: PayeeAmounts) =>
  Object.fromEntries([...amounts].map(([payee, amount]) => [payee, amount.toString()]));

export async function payoutsReport(
  reads: PayoutsReportRepository,
  manager: EntityManager,
  period: string,
  currency: string | null,
  transfers: AsyncIterable<RailTransferRecord>,
): Promise<PayoutsReport> {
  const credits = await reads.creditsIn(manager, period, currency);
  const adjustments = await reads.adjustmentsIn(manager, period, currency);
  const payable = await reads.payable(manager, currency);
  const totals = await reads.payoutTotals(manager, currency);
  const batch = await reads.batchLineSums(manager, period, currency);
  const payouts = await reads.payoutsOf(manager, period, currency);
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
    inTransit: totals?.inTransitMinor.toString() ?? '0',
    disbursed: totals?.disbursedMinor.toString() ?? '0',
    batch: {
      exists: batch !== null,
      carried: batch?.carriedMinor.toString() ?? '0',
      held: batch?.heldMinor.toString() ?? '0',
      owing: batch?.owingMinor.toString() ?? '0',
      linesPaid: batch?.paidMinor.toString() ?? '0',
    },
    payouts: payouts.map((payout) => ({
      id: payout.id,
      payee: payout.payee,
      amountMinor: payout.amountMinor.toString(),
      state: payout.state,
      rail: payout.rail,
      reference: payout.reference,
    })),
    transfers: railTransfers,
  };
}

import { type PayablesReportContract, type PayoutsReportContract, type ReportOf } from './service-reports.js';

/** The ledger's `payables` report. */
export type LedgerPayables = ReportOf<typeof PayablesReportContract>;

/** Payouts' `reconcile` report. */
export type PayoutsSide = ReportOf<typeof PayoutsReportContract>;

/**
 * What `commons payouts reconcile` prints: the two reports compared. Here, beside the reports, so that a test that
 * boots both services compares them in its own process exactly as the command does.
 */
export interface PayoutsReconciliation {
  readonly period: string;
  readonly currency: string;
  /** The batch's payouts. */
  readonly payouts: number;
  /** Minor units the batch's payouts paid (succeeded). */
  readonly paid: string;
  readonly inFlight: string;
  readonly returned: string;
  readonly carried: string;
  readonly held: string;
  /** Negative balances the batch held (adjustments took back more than was left). */
  readonly owing: string;
  /** Minor units the ledger's redemptions of the period made payable. */
  readonly redeemed: string;
  /** Minor units adjustments posted in the period credited or debited, net. */
  readonly adjusted: string;
  /** Rail transfers beyond one per payout, or that no payout made. */
  readonly duplicates: number;
  readonly consistent: boolean;
  readonly problems: readonly string[];
}

const sum = (values: Iterable<string>) => [...values].reduce((total, value) => total + BigInt(value), 0n);

function compareMaps(
  name: string,
  left: Readonly<Record<string, string>>,
  right: Readonly<Record<string, string>>,
  problems: string[],
): void {
  for (const key of [...new Set([...Object.keys(left), ...Object.keys(right)])].sort()) {
    const a = BigInt(left[key] ?? '0');
    const b = BigInt(right[key] ?? '0');
    if (a !== b) problems.push(`${name} of ${key}: ledger ${a}, payouts ${b}`);
  }
}

/**
 * Compares the ledger, payouts and the rail for one period: the period's redemptions equal payouts' credits, and
 * the adjustments posted in it payouts' adjustments;
 * every payee's payable balance, the money in transit and the money disbursed agree between ledger and
 * payouts; the batch's lines add up; and the rail made exactly one transfer, of the right amount, per paid
 * payout and none for any other.
 */
export function reconcilePayoutReports(ledger: LedgerPayables, payouts: PayoutsSide): PayoutsReconciliation {
  const problems: string[] = [];
  compareMaps('redeemed', ledger.redeemed, payouts.credits, problems);
  compareMaps('adjusted', ledger.adjusted, payouts.adjustments, problems);
  compareMaps('payable', ledger.payable, payouts.payable, problems);
  if (BigInt(ledger.inTransit) !== BigInt(payouts.inTransit))
    problems.push(`in transit: ledger ${ledger.inTransit}, payouts ${payouts.inTransit}`);
  if (BigInt(ledger.disbursed) !== BigInt(payouts.disbursed))
    problems.push(`disbursed: ledger ${ledger.disbursed}, payouts ${payouts.disbursed}`);
  const byState = (states: readonly string[]) =>
    sum(
      payouts.payouts.filter((payout) => states.includes(payout.state)).map((payout) => payout.amountMinor),
    );
  const scheduled = sum(payouts.payouts.map((payout) => payout.amountMinor));
  if (scheduled !== BigInt(payouts.batch.linesPaid))
    problems.push(`batch lines marked paid sum to ${payouts.batch.linesPaid}, its payouts to ${scheduled}`);
  if (!payouts.batch.exists && Object.keys(ledger.redeemed).length > 0)
    problems.push(`the period has redemptions but no payout batch yet`);

  const transfersByPayout = new Map<string, PayoutsSide['transfers'][number][]>();
  let duplicates = 0;
  for (const transfer of payouts.transfers) {
    if (transfer.payoutId === null || !payouts.payouts.some((payout) => payout.id === transfer.payoutId)) {
      duplicates++;
      problems.push(`rail transfer ${transfer.reference} belongs to no payout of the batch`);
      continue;
    }
    transfersByPayout.set(transfer.payoutId, [...(transfersByPayout.get(transfer.payoutId) ?? []), transfer]);
  }
  for (const payout of payouts.payouts.filter((entry) => entry.rail === 'stripe')) {
    const transfers = transfersByPayout.get(payout.id) ?? [];
    if (transfers.length > 1) {
      duplicates += transfers.length - 1;
      problems.push(`payout ${payout.id} has ${transfers.length} rail transfers`);
    }
    const [transfer] = transfers;
    const paidAtRail =
      transfer !== undefined && BigInt(transfer.reversedMinor) < BigInt(transfer.amountMinor);
    if (payout.state === 'succeeded' && (!transfer || transfer.reference !== payout.reference || !paidAtRail))
      problems.push(
        `payout ${payout.id} is paid but the rail has no live transfer ${payout.reference ?? ''} for it`,
      );
    if (transfer && transfer.amountMinor !== payout.amountMinor)
      problems.push(
        `payout ${payout.id} is ${payout.amountMinor} but its rail transfer is ${transfer.amountMinor}`,
      );
    if (['failed', 'scheduled'].includes(payout.state) && transfer)
      problems.push(
        `payout ${payout.id} is ${payout.state} but the rail transferred ${transfer.amountMinor}`,
      );
    if (
      payout.state === 'reversed' &&
      transfer &&
      BigInt(transfer.reversedMinor) < BigInt(transfer.amountMinor)
    )
      problems.push(`payout ${payout.id} is reversed but its rail transfer is not`);
  }
  return {
    period: ledger.period,
    currency: ledger.currency,
    payouts: payouts.payouts.length,
    paid: byState(['succeeded']).toString(),
    inFlight: byState(['scheduled', 'submitting', 'submitted']).toString(),
    returned: byState(['failed', 'reversed']).toString(),
    carried: payouts.batch.carried,
    held: payouts.batch.held,
    owing: payouts.batch.owing,
    redeemed: sum(Object.values(ledger.redeemed)).toString(),
    adjusted: sum(Object.values(ledger.adjusted)).toString(),
    duplicates,
    consistent: problems.length === 0,
    problems,
  };
}

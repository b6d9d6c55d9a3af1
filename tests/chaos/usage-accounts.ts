import { TOPICS } from '@onecommons/contracts';
import { consumerCaughtUp } from '@onecommons/testing';
import type pg from 'pg';
import { gatewayJson } from './platform-client.js';
import { usageKey, type UsageTotals } from './usage-load.js';

// Where the acknowledged usage must show up, each read the way its owner exposes it: metering's API, the
// ledger's projection (the table the close reads), and the input a close recorded.

/** Metering's totals per subscriber, through its API as the admin sees them. */
export async function meteringTotals(
  adminToken: string,
  subscribers: readonly string[],
  period: string,
): Promise<UsageTotals> {
  const totals: UsageTotals = new Map();
  for (const subscriber of subscribers) {
    const answer = await gatewayJson<{ items: { service: string; meter: string; quantity: string }[] }>(
      'GET',
      `/api/metering/v1/usage?subscriber=${subscriber}&period=${period}`,
      { credential: adminToken },
    );
    if (answer.status !== 200) throw new Error(`metering usage of ${subscriber}: ${answer.status}`);
    for (const item of answer.body.items)
      totals.set(usageKey(subscriber, item.service, item.meter), BigInt(item.quantity));
  }
  return totals;
}

/** The ledger's usage projection (folded from metering's UsageRecorded deltas): what a close allocates by. */
export async function ledgerProjectedTotals(admin: pg.Pool, period: string): Promise<UsageTotals> {
  const { rows } = await admin.query<{
    subscriber_id: string;
    service_id: string;
    meter: string;
    quantity: string;
  }>(
    `SELECT subscriber_id, service_id, meter, quantity::text AS quantity FROM ledger.usage_quantities
      WHERE period = $1`,
    [period],
  );
  return new Map(
    rows.map((row) => [usageKey(row.subscriber_id, row.service_id, row.meter), BigInt(row.quantity)]),
  );
}

/** The usage rows of a close's recorded input (`GET /periods/{P}/input`, the shared vectors' format). */
export function inputTotals(input: {
  usage: readonly { subscriber: string; service: string; meter: string; quantity: string | number }[];
}): UsageTotals {
  const totals: UsageTotals = new Map();
  for (const row of input.usage) {
    const key = usageKey(row.subscriber, row.service, row.meter);
    totals.set(key, (totals.get(key) ?? 0n) + BigInt(row.quantity));
  }
  return totals;
}

/** Every key whose quantity differs (zero rows count as absent), as `key: expected → actual`. */
export function usageDifferences(expected: UsageTotals, actual: UsageTotals): string[] {
  const keys = new Set([...expected.keys(), ...actual.keys()]);
  const differences: string[] = [];
  for (const key of [...keys].sort()) {
    const want = expected.get(key) ?? 0n;
    const got = actual.get(key) ?? 0n;
    if (want !== got) differences.push(`${key}: acknowledged ${want}, found ${got}`);
  }
  return differences;
}

export const sumOf = (totals: UsageTotals) => [...totals.values()].reduce((sum, value) => sum + value, 0n);

/**
 * Resolves once everything metering counted has reached the ledger: metering's outbox is published and the
 * ledger's consumer group has committed the end of the usage topic. Until then it throws saying which is not.
 */
export async function usageDelivered(admin: pg.Pool): Promise<true> {
  const { rows } = await admin.query<{ pending: number; oldest: string | null }>(
    `SELECT count(*)::int AS pending, min(created_at)::text AS oldest FROM metering.outbox
      WHERE published_at IS NULL`,
  );
  const pending = rows[0]?.pending ?? 0;
  if (pending > 0)
    throw new Error(
      `metering's outbox has ${pending} unpublished events, the oldest from ${rows[0]?.oldest}`,
    );
  if (!(await consumerCaughtUp('ledger', [TOPICS.meteringUsage.name])))
    throw new Error(`the ledger's consumer group has not reached the end of ${TOPICS.meteringUsage.name}`);
  return true;
}

/** The last line of `commons payouts reconcile --period P --json`. */
export interface PayoutsReconciliation {
  readonly payouts: number;
  readonly paid: string;
  readonly carried: string;
  readonly held: string;
  readonly redeemed: string;
  readonly duplicates: number;
  readonly consistent: boolean;
}

/** No payout paid twice, and payouts agree with the ledger. */
export function noPayoutPaidTwice(report: PayoutsReconciliation): boolean {
  return report.duplicates === 0 && report.consistent === true;
}

import { type AccountAllocation } from './account-totals.js';

/** One period's allocation: every subscriber token assigned to exactly one account. */
export interface PeriodAllocation {
  readonly period: string;
  /** Sum of all subscriber tokens > 0; equals the sum of the allocations. */
  readonly total: bigint;
  /** Rows with amount > 0, sorted by account key in byte order. */
  readonly allocations: readonly AccountAllocation[];
  readonly merkleRoot: string;
}

/** The JSON shape of a `PeriodAllocation`, amounts as decimal strings. */
export interface PeriodAllocationJson {
  readonly period: string;
  readonly total: string;
  readonly allocations: readonly { readonly account: string; readonly amount: string }[];
  readonly merkleRoot: string;
}

export function toAllocationJson(allocation: PeriodAllocation): PeriodAllocationJson {
  return {
    period: allocation.period,
    total: allocation.total.toString(),
    allocations: allocation.allocations.map((row) => ({
      account: row.account,
      amount: row.amount.toString(),
    })),
    merkleRoot: allocation.merkleRoot,
  };
}

/** The output format of `commons allocate` (2-space indentation, no trailing newline). */
export function serializeAllocation(allocation: PeriodAllocation): string {
  return JSON.stringify(toAllocationJson(allocation), null, 2);
}

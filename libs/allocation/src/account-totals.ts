import { compareKeys } from './account-key.js';

export interface AccountAllocation {
  readonly account: string;
  readonly amount: bigint;
}

/** Running totals per account key while a period is allocated. */
export class AccountTotals {
  private readonly totals = new Map<string, bigint>();

  credit(account: string, amount: bigint): void {
    if (amount === 0n) return;
    this.totals.set(account, (this.totals.get(account) ?? 0n) + amount);
  }

  /** Rows with an amount above zero, sorted by account key in byte order. */
  rows(): readonly AccountAllocation[] {
    const rows: AccountAllocation[] = [];
    for (const [account, amount] of this.totals) if (amount > 0n) rows.push({ account, amount });
    return rows.sort((left, right) => compareKeys(left.account, right.account));
  }
}

/** Adds `amount` to the running sum under `key`. */
export function addTo(sums: Map<string, bigint>, key: string, amount: bigint): void {
  if (amount === 0n) return;
  sums.set(key, (sums.get(key) ?? 0n) + amount);
}

import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** Payouts that no longer hold money back: it returned to the payable balance. */
export const RETURNED_STATES = ['failed', 'reversed'] as const;

export interface PayableBalance {
  readonly payee: string;
  readonly currency: string;
  readonly amountMinor: bigint;
}

/**
 * A payee's payable balance per currency: what the ledger's redemptions credited, less every payout that
 * has not failed or been reversed (the ledger mirrors the same moves, so the two agree when settled).
 */
@Injectable()
export class PayableBalances {
  async of(manager: EntityManager, payee: string): Promise<PayableBalance[]> {
    return this.query(manager, 'WHERE payee = $1', [payee]);
  }

  async all(manager: EntityManager): Promise<PayableBalance[]> {
    return this.query(manager, '', []);
  }

  /** Per payee: the credits of periods up to `period` and the payouts of batches before it. */
  async before(manager: EntityManager, payee: string, period: string): Promise<PayableBalance[]> {
    const rows = (await manager.query(
      `SELECT payee, currency, sum(amount)::text AS amount FROM (
          SELECT payee, currency, amount_minor AS amount FROM payable_credits WHERE payee = $1 AND period < $2
          UNION ALL
          SELECT payee, currency, -amount_minor FROM payouts
           WHERE payee = $1 AND period < $2 AND state <> ALL($3)
        ) moves GROUP BY payee, currency ORDER BY currency`,
      [payee, period, RETURNED_STATES],
    )) as { payee: string; currency: string; amount: string }[];
    return rows.map((row) => ({ payee: row.payee, currency: row.currency, amountMinor: BigInt(row.amount) }));
  }

  private async query(manager: EntityManager, where: string, params: unknown[]): Promise<PayableBalance[]> {
    const rows = (await manager.query(
      `SELECT payee, currency, sum(amount)::text AS amount FROM (
          SELECT payee, currency, amount_minor AS amount FROM payable_credits
          UNION ALL
          SELECT payee, currency, -amount_minor FROM payouts WHERE state <> ALL($${params.length + 1})
        ) moves ${where} GROUP BY payee, currency ORDER BY payee, currency`,
      [...params, RETURNED_STATES],
    )) as { payee: string; currency: string; amount: string }[];
    return rows.map((row) => ({ payee: row.payee, currency: row.currency, amountMinor: BigInt(row.amount) }));
  }
}

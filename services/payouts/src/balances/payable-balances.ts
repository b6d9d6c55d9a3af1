import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** Payouts that no longer hold money back: it returned to the payable balance. */
export const RETURNED_STATES = ['failed', 'reversed'] as const;

/**
 * Every move of payable balances, as rows (payee, currency, period, amount): the ledger's redemptions and
 * adjustments (signed), less every payout that has not failed or been reversed. The one definition of a payable
 * balance: the balances, statements and the reconcile report all sum it.
 */
export const PAYABLE_MOVES = `
  SELECT payee, currency, period, amount_minor AS amount FROM payable_credits
  UNION ALL
  SELECT payee, currency, period, amount_minor FROM payable_adjustments
  UNION ALL
  SELECT payee, currency, period, -amount_minor FROM payouts
   WHERE state NOT IN (${RETURNED_STATES.map((state) => `'${state}'`).join(', ')})`;

export interface PayableBalance {
  readonly payee: string;
  readonly currency: string;
  /** Negative when an adjustment took back more than was left: netted against later credits. */
  readonly amountMinor: bigint;
}

/**
 * A payee's payable balance per currency (the ledger mirrors the same moves, so the two agree when settled).
 */
@Injectable()
export class PayableBalances {
  async of(manager: EntityManager, payee: string): Promise<PayableBalance[]> {
    return this.query(manager, 'WHERE payee = $1', [payee]);
  }

  async all(manager: EntityManager): Promise<PayableBalance[]> {
    return this.query(manager, '', []);
  }

  /** Per payee: the moves of periods before `period` (credits and adjustments, and the payouts of batches). */
  async before(manager: EntityManager, payee: string, period: string): Promise<PayableBalance[]> {
    return this.query(manager, 'WHERE payee = $1 AND period < $2', [payee, period]);
  }

  /** Per payee: the moves of periods up to and including `period` (what its statement closes with). */
  async through(manager: EntityManager, payee: string, period: string): Promise<PayableBalance[]> {
    return this.query(manager, 'WHERE payee = $1 AND period <= $2', [payee, period]);
  }

  private async query(manager: EntityManager, where: string, params: unknown[]): Promise<PayableBalance[]> {
    const rows = (await manager.query(
      `SELECT payee, currency, sum(amount)::text AS amount FROM (${PAYABLE_MOVES}) moves ${where}
        GROUP BY payee, currency ORDER BY payee, currency`,
      params,
    )) as { payee: string; currency: string; amount: string }[];
    return rows.map((row) => ({ payee: row.payee, currency: row.currency, amountMinor: BigInt(row.amount) }));
  }
}

import { Injectable } from '@nestjs/common';
import { type DataOf, type PayableAdjustedV1, type TokensRedeemedV1 } from '@onecommons/contracts';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

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

/** A redemption the ledger made payable to a payee. */
export interface PayableCredit {
  readonly redemptionKey: string;
  readonly tokens: bigint;
  readonly allocatedTokens: bigint;
  readonly priceNum: bigint;
  readonly priceDen: bigint;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly merkleRoot: string;
}

export interface UsageCorrection {
  readonly serviceId: string;
  readonly meter: string;
  readonly delta: string;
  readonly source: string;
  readonly id: string;
}

/** An adjustment of a closed period that credited (positive) or debited (negative) a payee. */
export interface PayableAdjustment {
  readonly adjustmentKey: string;
  readonly adjustedPeriod: string;
  readonly sequence: number;
  readonly tokens: bigint;
  readonly priceNum: bigint;
  readonly priceDen: bigint;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly reason: string;
  readonly corrections: readonly UsageCorrection[];
  readonly merkleRoot: string;
}

const balanceRow = z
  .object({ payee: z.string(), currency: z.string(), amount: bigintText })
  .transform((row): PayableBalance => ({
    payee: row.payee,
    currency: row.currency,
    amountMinor: row.amount,
  }));

const creditRow = z
  .object({
    redemption_key: z.string(),
    tokens: bigintText,
    allocated_tokens: bigintText,
    price_num: bigintText,
    price_den: bigintText,
    amount_minor: bigintText,
    currency: z.string(),
    merkle_root: z.string(),
  })
  .transform((row): PayableCredit => ({
    redemptionKey: row.redemption_key,
    tokens: row.tokens,
    allocatedTokens: row.allocated_tokens,
    priceNum: row.price_num,
    priceDen: row.price_den,
    amountMinor: row.amount_minor,
    currency: row.currency,
    merkleRoot: row.merkle_root,
  }));

const correctionColumn = z.object({
  serviceId: z.string(),
  meter: z.string(),
  delta: z.string(),
  source: z.string(),
  id: z.string(),
});

const adjustmentRow = z
  .object({
    adjustment_key: z.string(),
    adjusted_period: z.string(),
    sequence: z.number().int(),
    tokens: bigintText,
    price_num: bigintText,
    price_den: bigintText,
    amount_minor: bigintText,
    currency: z.string(),
    reason: z.string(),
    corrections: z.array(correctionColumn),
    merkle_root: z.string(),
  })
  .transform((row): PayableAdjustment => ({
    adjustmentKey: row.adjustment_key,
    adjustedPeriod: row.adjusted_period,
    sequence: row.sequence,
    tokens: row.tokens,
    priceNum: row.price_num,
    priceDen: row.price_den,
    amountMinor: row.amount_minor,
    currency: row.currency,
    reason: row.reason,
    corrections: row.corrections,
    merkleRoot: row.merkle_root,
  }));

/**
 * The balances feature's tables: payable_credits and payable_adjustments (what the ledger made payable), and the
 * payable balances they make with the payouts (`PAYABLE_MOVES`); the ledger mirrors the same moves, so the two
 * agree when settled.
 */
@Injectable()
export class BalancesRepository {
  /** Records a redemption once (a redelivered one changes nothing). */
  async addCredit(manager: EntityManager, redeemed: DataOf<typeof TokensRedeemedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO payable_credits (redemption_key, payee, period, tokens, allocated_tokens, amount_minor, currency,
                                    price_num, price_den, merkle_root)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (redemption_key) DO NOTHING`,
      [
        redeemed.redemptionKey,
        redeemed.holder,
        redeemed.period,
        redeemed.tokens,
        redeemed.allocatedTokens,
        redeemed.amountMinor,
        redeemed.currency,
        redeemed.price.num,
        redeemed.price.den,
        redeemed.merkleRoot,
      ],
    );
  }

  /** Records an adjustment once (a redelivered one changes nothing). */
  async addAdjustment(manager: EntityManager, adjusted: DataOf<typeof PayableAdjustedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO payable_adjustments (adjustment_key, payee, period, adjusted_period, sequence, tokens, amount_minor,
                                        currency, price_num, price_den, merkle_root, reason, corrections)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
      [
        adjusted.adjustmentKey,
        adjusted.payee,
        adjusted.period,
        adjusted.adjustedPeriod,
        adjusted.sequence,
        adjusted.tokens,
        adjusted.amountMinor,
        adjusted.currency,
        adjusted.price.num,
        adjusted.price.den,
        adjusted.merkleRoot,
        adjusted.reason,
        JSON.stringify(adjusted.corrections),
      ],
    );
  }

  /** A payee's payable balance per currency. */
  async of(manager: EntityManager, payee: string): Promise<PayableBalance[]> {
    return this.sumOfMoves(manager, 'balances.of', 'WHERE payee = $1', [payee]);
  }

  /** Every payee's payable balance per currency. */
  async all(manager: EntityManager): Promise<PayableBalance[]> {
    return this.sumOfMoves(manager, 'balances.all', '', []);
  }

  /** Per payee: the moves of periods before `period` (credits and adjustments, and the payouts of batches). */
  async before(manager: EntityManager, payee: string, period: string): Promise<PayableBalance[]> {
    return this.sumOfMoves(manager, 'balances.before', 'WHERE payee = $1 AND period < $2', [payee, period]);
  }

  /** Per payee: the moves of periods up to and including `period` (what its statement closes with). */
  async through(manager: EntityManager, payee: string, period: string): Promise<PayableBalance[]> {
    return this.sumOfMoves(manager, 'balances.through', 'WHERE payee = $1 AND period <= $2', [payee, period]);
  }

  /** The payee's credits of the period, by redemption key. */
  async creditsIn(manager: EntityManager, payee: string, period: string): Promise<PayableCredit[]> {
    return queryRows(
      manager,
      {
        name: 'balances.creditsIn',
        row: creditRow,
        sql: `SELECT redemption_key, tokens::text AS tokens, allocated_tokens::text AS allocated_tokens,
                     price_num::text AS price_num, price_den::text AS price_den, amount_minor::text AS amount_minor,
                     currency, merkle_root
                FROM payable_credits WHERE payee = $1 AND period = $2 ORDER BY redemption_key`,
      },
      [payee, period],
    );
  }

  /** The adjustments posted to the payee in the period, by adjusted period and sequence. */
  async adjustmentsIn(manager: EntityManager, payee: string, period: string): Promise<PayableAdjustment[]> {
    return queryRows(
      manager,
      {
        name: 'balances.adjustmentsIn',
        row: adjustmentRow,
        sql: `SELECT adjustment_key, adjusted_period, sequence, tokens::text AS tokens, price_num::text AS price_num,
                     price_den::text AS price_den, amount_minor::text AS amount_minor, currency, reason, corrections,
                     merkle_root
                FROM payable_adjustments WHERE payee = $1 AND period = $2 ORDER BY adjusted_period, sequence`,
      },
      [payee, period],
    );
  }

  /** The moves matching `where` (one of the fixed filters above), summed per payee and currency. */
  private async sumOfMoves(
    manager: EntityManager,
    name: string,
    where: string,
    params: readonly unknown[],
  ): Promise<PayableBalance[]> {
    return queryRows(
      manager,
      {
        name,
        row: balanceRow,
        sql: `SELECT payee, currency, sum(amount)::text AS amount FROM (${PAYABLE_MOVES}) moves ${where}
               GROUP BY payee, currency ORDER BY payee, currency`,
      },
      params,
    );
  }
}

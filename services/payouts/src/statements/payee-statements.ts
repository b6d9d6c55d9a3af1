import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PayableBalances } from '../balances/payable-balances.js';
import { type Payee } from '../payees/payee-key.js';

export interface PayeeStatementDto {
  readonly payee: string;
  readonly period: string;
  /** Payable per currency before the period's credits: earlier credits less earlier batches' payouts. */
  readonly opening: readonly { readonly currency: string; readonly amountMinor: string }[];
  /** The period's redemptions, each traced to the payee's allocation row (statement and Merkle proof in the ledger). */
  readonly credits: readonly {
    readonly redemptionKey: string;
    readonly tokens: string;
    readonly allocatedTokens: string;
    readonly heldTokens: string;
    readonly price: { readonly num: string; readonly den: string };
    readonly amountMinor: string;
    readonly currency: string;
    readonly merkleRoot: string;
    readonly allocationStatement: string;
    readonly allocationProof: string;
  }[];
  /**
   * Adjustments of closed periods posted in this period (docs/trust-rules.md): what each credited or debited, traced to the
   * corrected usage and the adjusted allocation row (statement and Merkle proof in the ledger).
   */
  readonly adjustments: readonly {
    readonly adjustmentKey: string;
    readonly adjustedPeriod: string;
    readonly sequence: number;
    readonly tokens: string;
    readonly price: { readonly num: string; readonly den: string };
    readonly amountMinor: string;
    readonly currency: string;
    readonly reason: string;
    readonly corrections: readonly {
      readonly serviceId: string;
      readonly meter: string;
      readonly delta: string;
      readonly source: string;
      readonly id: string;
    }[];
    readonly merkleRoot: string;
    readonly allocationStatement: string;
  }[];
  /** The period's batch: what it did with the balance, and the payouts it made. Null until the period closes. */
  readonly batch: {
    readonly lines: readonly {
      readonly currency: string;
      readonly availableMinor: string;
      readonly outcome: 'paid' | 'carried' | 'held';
      readonly reason: string | null;
    }[];
    readonly payouts: readonly {
      readonly id: string;
      readonly amountMinor: string;
      readonly currency: string;
      readonly rail: string;
      readonly state: string;
      readonly reference: string | null;
      readonly failureCode: string | null;
      readonly transitions: readonly { from: string | null; to: string; at: string; detail: string }[];
    }[];
  } | null;
  /**
   * Payable per currency after the batch: opening + credits ± adjustments − the batch's payouts that did not fail
   * or reverse. Negative while an adjustment's debit is not yet netted against later credits.
   */
  readonly closing: readonly { readonly currency: string; readonly amountMinor: string }[];
}

/** A payee's statement for one period: from the allocation it was credited to the payouts it got (docs/payout-rules.md). */
@Injectable()
export class PayeeStatements {
  constructor(
    private readonly dataSource: DataSource,
    private readonly balances: PayableBalances,
  ) {}

  async of(payee: Payee, period: string): Promise<PayeeStatementDto> {
    const manager = this.dataSource.manager;
    const opening = await this.balances.before(manager, payee.key, period);
    const credits = (await manager.query(
      `SELECT redemption_key, tokens::text AS tokens, allocated_tokens::text AS allocated_tokens,
              price_num::text AS price_num, price_den::text AS price_den, amount_minor::text AS amount_minor,
              currency, merkle_root
         FROM payable_credits WHERE payee = $1 AND period = $2 ORDER BY redemption_key`,
      [payee.key, period],
    )) as {
      redemption_key: string;
      tokens: string;
      allocated_tokens: string;
      price_num: string;
      price_den: string;
      amount_minor: string;
      currency: string;
      merkle_root: string;
    }[];
    const adjustments = (await manager.query(
      `SELECT adjustment_key, adjusted_period, sequence, tokens::text AS tokens, price_num::text AS price_num,
              price_den::text AS price_den, amount_minor::text AS amount_minor, currency, reason, corrections,
              merkle_root
         FROM payable_adjustments WHERE payee = $1 AND period = $2 ORDER BY adjusted_period, sequence`,
      [payee.key, period],
    )) as {
      adjustment_key: string;
      adjusted_period: string;
      sequence: number;
      tokens: string;
      price_num: string;
      price_den: string;
      amount_minor: string;
      currency: string;
      reason: string;
      corrections: PayeeStatementDto['adjustments'][number]['corrections'];
      merkle_root: string;
    }[];
    const [batch] = (await manager.query('SELECT period FROM payout_batches WHERE period = $1', [
      period,
    ])) as {
      period: string;
    }[];
    const lines = (await manager.query(
      `SELECT currency, available_minor::text AS available_minor, outcome, reason FROM batch_lines
        WHERE period = $1 AND payee = $2 ORDER BY currency`,
      [period, payee.key],
    )) as {
      currency: string;
      available_minor: string;
      outcome: 'paid' | 'carried' | 'held';
      reason: string | null;
    }[];
    const payouts = (await manager.query(
      `SELECT p.id, p.amount_minor::text AS amount_minor, p.currency, p.rail, p.state, p.reference, p.failure_code,
              coalesce((SELECT json_agg(json_build_object('from', t.from_state, 'to', t.to_state, 'at', t.at,
                                                          'detail', t.detail) ORDER BY t.id)
                          FROM payout_transitions t WHERE t.payout_id = p.id), '[]') AS transitions
         FROM payouts p WHERE p.payee = $1 AND p.period = $2 ORDER BY p.id`,
      [payee.key, period],
    )) as {
      id: string;
      amount_minor: string;
      currency: string;
      rail: string;
      state: string;
      reference: string | null;
      failure_code: string | null;
      transitions: { from: string | null; to: string; at: string; detail: string }[];
    }[];
    const closing = await this.balances.through(manager, payee.key, period);
    const ledgerQuery = `?period=${period}`;
    return {
      payee: payee.key,
      period,
      opening: opening.map((balance) => ({
        currency: balance.currency,
        amountMinor: balance.amountMinor.toString(),
      })),
      credits: credits.map((credit) => ({
        redemptionKey: credit.redemption_key,
        tokens: credit.tokens,
        allocatedTokens: credit.allocated_tokens,
        heldTokens: (BigInt(credit.tokens) - BigInt(credit.allocated_tokens)).toString(),
        price: { num: credit.price_num, den: credit.price_den },
        amountMinor: credit.amount_minor,
        currency: credit.currency,
        merkleRoot: credit.merkle_root,
        allocationStatement: `/api/ledger/v1/statements/accounts/${payee.key}${ledgerQuery}`,
        allocationProof: `/api/ledger/v1/periods/${period}/proofs/${payee.key}`,
      })),
      adjustments: adjustments.map((adjustment) => ({
        adjustmentKey: adjustment.adjustment_key,
        adjustedPeriod: adjustment.adjusted_period,
        sequence: adjustment.sequence,
        tokens: adjustment.tokens,
        price: { num: adjustment.price_num, den: adjustment.price_den },
        amountMinor: adjustment.amount_minor,
        currency: adjustment.currency,
        reason: adjustment.reason,
        corrections: adjustment.corrections,
        merkleRoot: adjustment.merkle_root,
        allocationStatement: `/api/ledger/v1/statements/accounts/${payee.key}?period=${adjustment.adjusted_period}`,
      })),
      batch: batch
        ? {
            lines: lines.map((line) => ({
              currency: line.currency,
              availableMinor: line.available_minor,
              outcome: line.outcome,
              reason: line.reason,
            })),
            payouts: payouts.map((payout) => ({
              id: payout.id,
              amountMinor: payout.amount_minor,
              currency: payout.currency,
              rail: payout.rail,
              state: payout.state,
              reference: payout.reference,
              failureCode: payout.failure_code,
              transitions: payout.transitions,
            })),
          }
        : null,
      closing: closing.map((balance) => ({
        currency: balance.currency,
        amountMinor: balance.amountMinor.toString(),
      })),
    };
  }
}

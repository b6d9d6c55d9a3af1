import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BalancesRepository } from '../balances/balances.repository.js';
import { BatchesRepository } from '../batches/batches.repository.js';
import { PayoutsRepository } from '../execution/payouts.repository.js';
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
    private readonly balances: BalancesRepository,
    private readonly batches: BatchesRepository,
    private readonly payouts: PayoutsRepository,
  ) {}

  async of(payee: Payee, period: string): Promise<PayeeStatementDto> {
    const manager = this.dataSource.manager;
    const opening = await this.balances.before(manager, payee.key, period);
    const credits = await this.balances.creditsIn(manager, payee.key, period);
    const adjustments = await this.balances.adjustmentsIn(manager, payee.key, period);
    const batch = await this.batches.find(manager, period);
    const lines = await this.batches.linesOf(manager, period, payee.key);
    const payouts = await this.payouts.ofPayeeWithTransitions(manager, payee.key, period);
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
        redemptionKey: credit.redemptionKey,
        tokens: credit.tokens.toString(),
        allocatedTokens: credit.allocatedTokens.toString(),
        heldTokens: (credit.tokens - credit.allocatedTokens).toString(),
        price: { num: credit.priceNum.toString(), den: credit.priceDen.toString() },
        amountMinor: credit.amountMinor.toString(),
        currency: credit.currency,
        merkleRoot: credit.merkleRoot,
        allocationStatement: `/api/ledger/v1/statements/accounts/${payee.key}${ledgerQuery}`,
        allocationProof: `/api/ledger/v1/periods/${period}/proofs/${payee.key}`,
      })),
      adjustments: adjustments.map((adjustment) => ({
        adjustmentKey: adjustment.adjustmentKey,
        adjustedPeriod: adjustment.adjustedPeriod,
        sequence: adjustment.sequence,
        tokens: adjustment.tokens.toString(),
        price: { num: adjustment.priceNum.toString(), den: adjustment.priceDen.toString() },
        amountMinor: adjustment.amountMinor.toString(),
        currency: adjustment.currency,
        reason: adjustment.reason,
        corrections: adjustment.corrections,
        merkleRoot: adjustment.merkleRoot,
        allocationStatement: `/api/ledger/v1/statements/accounts/${payee.key}?period=${adjustment.adjustedPeriod}`,
      })),
      batch: batch
        ? {
            lines: lines.map((line) => ({
              currency: line.currency,
              availableMinor: line.availableMinor.toString(),
              outcome: line.outcome,
              reason: line.reason,
            })),
            payouts: payouts.map((payout) => ({
              id: payout.id,
              amountMinor: payout.amountMinor.toString(),
              currency: payout.currency,
              rail: payout.rail,
              state: payout.state,
              reference: payout.reference,
              failureCode: payout.failureCode,
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

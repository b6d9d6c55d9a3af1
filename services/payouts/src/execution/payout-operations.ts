import { Inject, Injectable } from '@nestjs/common';
import { decodeCursor, type Page, pageOf, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { BatchesRepository } from '../batches/batches.repository.js';
import { type PayoutsConfig } from '../config.js';
import { PayoutAccountSealer } from '../payees/payout-account-sealer.js';
import { PayoutsError } from '../payouts-errors.js';
import { endToEndIdOf, renderPain001 } from '../rails/bank-file.js';
import { answeringRailErrors } from '../rails/rail-errors.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { PayoutTransitions } from './payout-transitions.js';
import { type PayoutRow, PayoutsRepository } from './payouts.repository.js';

export interface PayoutDto {
  readonly id: string;
  readonly payee: string;
  readonly period: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly rail: 'stripe' | 'bank';
  readonly state: PayoutRow['state'];
  readonly reference: string | null;
  readonly failureCode: string | null;
  readonly failureReason: string | null;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface PayoutFilter {
  readonly payee?: string | undefined;
  readonly period?: string | undefined;
  readonly state?: PayoutRow['state'] | undefined;
  readonly limit: number;
  readonly cursor?: string | undefined;
}

/** Reading payouts, and what admins do to them: reverse a paid one, settle a bank one, get a batch's bank file. */
@Injectable()
export class PayoutOperations {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsRepository,
    private readonly batches: BatchesRepository,
    private readonly transitions: PayoutTransitions,
    private readonly stripe: StripeTransferRail,
    private readonly sealer: PayoutAccountSealer,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  async list(filter: PayoutFilter): Promise<Page<PayoutDto>> {
    const rows = await this.payouts.list(
      this.dataSource.manager,
      {
        payee: filter.payee ?? null,
        period: filter.period ?? null,
        state: filter.state ?? null,
        afterId: decodeCursor(filter.cursor),
      },
      filter.limit + 1,
    );
    return pageOf(rows, filter.limit, payoutDto);
  }

  async get(payoutId: string): Promise<PayoutRow> {
    const row = await this.payouts.byId(this.dataSource.manager, payoutId);
    if (!row) throw PayoutsError.notFound('payout_not_found', `no payout ${payoutId}`);
    return row;
  }

  /** Reverses a paid payout: Stripe transfers at Stripe (idempotently), bank payouts as returned by the bank. */
  async reverse(payoutId: string, reason: string): Promise<PayoutDto> {
    const payout = await this.get(payoutId);
    if (payout.state !== 'succeeded')
      throw PayoutsError.conflict(
        'payout_not_paid',
        `payout ${payoutId} is ${payout.state}; only a paid payout reverses`,
      );
    if (payout.rail === 'stripe' && payout.reference)
      await answeringRailErrors(() =>
        this.stripe.reverse(
          payout.reference as string,
          BigInt(payout.amount_minor),
          `payout:${payoutId}:reversal`,
        ),
      );
    return this.moveOrConflict(payoutId, 'reversed', {
      reference: payout.reference ?? '',
      reason,
      detail: `reversed: ${reason}`,
    });
  }

  /** The bank's answer to a bank payout of a credit-transfer file. */
  async settle(payoutId: string, outcome: 'settled' | 'rejected', reason: string): Promise<PayoutDto> {
    const payout = await this.get(payoutId);
    if (payout.rail !== 'bank' || payout.state !== 'submitted')
      throw PayoutsError.conflict(
        'payout_not_awaiting_bank',
        `payout ${payoutId} is a ${payout.rail} payout in state ${payout.state}; only submitted bank payouts settle`,
      );
    return outcome === 'settled'
      ? this.moveOrConflict(payoutId, 'succeeded', {
          detail: `settled by the bank${reason ? `: ${reason}` : ''}`,
        })
      : this.moveOrConflict(payoutId, 'failed', {
          code: 'bank_rejected',
          reason,
          detail: `rejected by the bank: ${reason}`,
        });
  }

  /** The batch's bank payouts awaiting the bank, as one ISO 20022 pain.001.001.09 file (the same bytes each time). */
  async bankFile(period: string): Promise<string> {
    const payouts = await this.payouts.awaitingBank(this.dataSource.manager, period);
    const [first] = payouts;
    if (!first)
      throw PayoutsError.notFound('bank_file_empty', `batch ${period} has no bank payouts awaiting the bank`);
    const createdAt = first.batchCreatedAt;
    return renderPain001({
      messageId: `OC-${period}-${payouts.length}-${endToEndIdOf(payouts.at(-1)?.id ?? '').slice(0, 12)}`,
      createdAt,
      initiatingParty: this.config.PAYOUTS_BANK_DEBTOR_NAME,
      debtor: {
        name: this.config.PAYOUTS_BANK_DEBTOR_NAME,
        iban: this.config.PAYOUTS_BANK_DEBTOR_IBAN,
        bic: this.config.PAYOUTS_BANK_DEBTOR_BIC,
      },
      requestedExecutionDate: createdAt.toISOString().slice(0, 10),
      payments: payouts.map((payout) => {
        const destination = this.sealer.unseal(payout.payoutAccountId, payout.detailsSealed);
        if (destination.rail !== 'bank')
          throw new Error(`payout ${payout.id} has a ${destination.rail} account`);
        return {
          endToEndId: endToEndIdOf(payout.id),
          amountMinor: payout.amountMinor,
          currency: payout.currency,
          creditor: {
            name: destination.holderName,
            iban: destination.iban,
            ...(destination.bic ? { bic: destination.bic } : {}),
          },
          remittance: `OneCommons payout ${period} ${payout.payee}`,
        };
      }),
    });
  }

  /** A batch's lines and payouts, totalled. */
  async batch(period: string) {
    const batch = await this.batches.find(this.dataSource.manager, period);
    if (!batch)
      throw PayoutsError.notFound(
        'batch_not_found',
        `no payout batch for ${period} (the period has not closed)`,
      );
    const lines = await this.batches.lineTotalsOf(this.dataSource.manager, period);
    const payouts = await this.payouts.totalsOf(this.dataSource.manager, period);
    return {
      period,
      createdAt: batch.createdAt.toISOString(),
      lines: lines.map((line) => ({ ...line, amountMinor: line.amountMinor.toString() })),
      payouts: payouts.map((total) => ({ ...total, amountMinor: total.amountMinor.toString() })),
    };
  }

  private async moveOrConflict(
    payoutId: string,
    to: 'succeeded' | 'failed' | 'reversed',
    facts: Parameters<PayoutTransitions['move']>[3],
  ): Promise<PayoutDto> {
    const moved = await this.dataSource.transaction((manager) =>
      this.transitions.move(manager, payoutId, to, facts),
    );
    if (!moved)
      throw PayoutsError.conflict('payout_changed', `payout ${payoutId} changed meanwhile; read it again`);
    return payoutDto(moved);
  }
}

export function payoutDto(row: PayoutRow): PayoutDto {
  return {
    id: row.id,
    payee: row.payee,
    period: row.period,
    amountMinor: row.amount_minor,
    currency: row.currency,
    rail: row.rail,
    state: row.state,
    reference: row.reference,
    failureCode: row.failure_code,
    failureReason: row.failure_reason,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

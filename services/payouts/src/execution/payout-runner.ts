import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PayeesRepository } from '../payees/payees.repository.js';
import { PayoutAccountSealer } from '../payees/payout-account-sealer.js';
import { endToEndIdOf } from '../rails/bank-file.js';
import { type PayoutDestination, RailUnavailableError, type TransferOutcome } from '../rails/payout-rail.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { PayoutMetrics } from './payout-metrics.js';
import { PayoutTransitions } from './payout-transitions.js';
import { type PayoutRow, PayoutsRepository } from './payouts.repository.js';

export type RunResult = { readonly kind: 'done' } | { readonly kind: 'retry'; readonly at: Date };

/** The idempotency key of a payout at its rail: the same on every attempt, so a retry never pays twice. */
export const idempotencyKeyOf = (payoutId: string) => `payout:${payoutId}`;

/**
 * Runs one payout: claims it under a lease (intent recorded before any rail call), calls the rail with the
 * payout's idempotency key, and records the outcome. A crash anywhere leaves the payout claimable again when
 * the lease ends; the retry sends the same key, so the rail answers with the first transfer, not a second.
 */
@Injectable()
export class PayoutRunner {
  private readonly logger = new Logger('PayoutRunner');

  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsRepository,
    private readonly payees: PayeesRepository,
    private readonly transitions: PayoutTransitions,
    private readonly stripe: StripeTransferRail,
    private readonly sealer: PayoutAccountSealer,
    private readonly metrics: PayoutMetrics,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  async run(payoutId: string): Promise<RunResult> {
    const claimed = await this.claim(payoutId);
    if (claimed.kind !== 'claimed') return claimed.result;
    const { payout, destination } = claimed;
    if (destination.rail === 'bank') {
      // Paid by the batch's credit-transfer file; the bank's confirmation settles it.
      await this.finish(payout.id, 'submitted', {
        reference: endToEndIdOf(payout.id),
        detail: 'in the batch’s ISO 20022 credit-transfer file, awaiting the bank',
      });
      return { kind: 'done' };
    }
    let outcome: TransferOutcome;
    try {
      outcome = await this.stripe.transfer({
        payoutId: payout.id,
        idempotencyKey: idempotencyKeyOf(payout.id),
        destination,
        amountMinor: BigInt(payout.amount_minor),
        currency: payout.currency,
        transferGroup: `payouts:${payout.period}`,
        description: `OneCommons payout ${payout.period} to ${payout.payee}`,
      });
    } catch (error) {
      const unavailable = error instanceof RailUnavailableError;
      this.metrics.railCalls.inc({ rail: payout.rail, outcome: unavailable ? 'unavailable' : 'error' });
      if (!unavailable) this.logger.error(`payout ${payout.id}: rail error: ${String(error)}`);
      return this.retryLater(payout, String(error), unavailable ? error.retryAfterMs : undefined);
    }
    this.metrics.railCalls.inc({ rail: payout.rail, outcome: outcome.kind });
    if (outcome.kind === 'paid') {
      await this.finish(payout.id, 'succeeded', {
        reference: outcome.reference,
        detail: `Stripe transfer ${outcome.reference}`,
      });
    } else {
      await this.dataSource.transaction(async (manager) => {
        await this.transitions.move(manager, payout.id, 'failed', {
          code: outcome.code,
          reason: outcome.message,
          detail: `declined by Stripe: ${outcome.code}`,
        });
        // A destination that cannot receive holds the payee until it fixes its account.
        if (outcome.accountProblem)
          await this.payees.markAccountUnverified(
            manager,
            payout.payout_account_id,
            `the rail declined a payout: ${outcome.code}`,
          );
      });
    }
    return { kind: 'done' };
  }

  private async claim(
    payoutId: string,
  ): Promise<
    | { kind: 'claimed'; payout: PayoutRow; destination: PayoutDestination }
    | { kind: 'skipped'; result: RunResult }
  > {
    return this.dataSource.transaction(async (manager) => {
      const claimed = await this.payouts.claim(manager, payoutId, this.config.PAYOUTS_LEASE_SECONDS);
      if (!claimed) {
        const open = await this.payouts.leaseOf(manager, payoutId);
        // Not due yet, or another worker holds it: look again when that ends. Anything else is finished.
        if (!open) return { kind: 'skipped', result: { kind: 'done' } };
        const at = new Date(Math.max(open.nextAttemptAt.getTime(), open.leaseUntil?.getTime() ?? 0) + 100);
        return { kind: 'skipped', result: { kind: 'retry', at } };
      }
      const { payout } = claimed;
      if (claimed.previousState === 'scheduled')
        await this.payouts.logTransition(
          manager,
          payout.id,
          'scheduled',
          'submitting',
          `attempt ${payout.attempts}`,
        );
      const destination = this.sealer.unseal(
        payout.payout_account_id,
        await this.payees.sealedDetailsOf(manager, payout.payout_account_id),
      );
      return { kind: 'claimed', payout, destination };
    });
  }

  private async finish(
    payoutId: string,
    to: 'submitted' | 'succeeded',
    facts: { reference: string; detail: string },
  ): Promise<void> {
    await this.dataSource.transaction((manager) => this.transitions.move(manager, payoutId, to, facts));
  }

  private async retryLater(payout: PayoutRow, error: string, retryAfterMs?: number): Promise<RunResult> {
    const backoff = Math.min(
      this.config.PAYOUTS_RETRY_MAX_MS,
      this.config.PAYOUTS_RETRY_BASE_MS * 2 ** Math.min(20, Math.max(0, payout.attempts - 1)),
    );
    const at = new Date(Date.now() + Math.max(backoff, retryAfterMs ?? 0));
    await this.payouts.retryAt(this.dataSource.manager, payout.id, at, error);
    this.logger.warn(
      `payout ${payout.id}: attempt ${payout.attempts} failed (${error}); next at ${at.toISOString()}`,
    );
    return { kind: 'retry', at };
  }
}

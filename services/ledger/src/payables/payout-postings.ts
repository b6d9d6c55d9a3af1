import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import {
  type CloudEvent,
  type DataOf,
  PayoutFailedV1,
  PayoutReversedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { payableAccount, TreasuryAccount } from '../treasury/accounts.js';

type PayoutData = DataOf<typeof PayoutScheduledV1>;

/** Where each payout step moves the payout's amount: payable → in transit → disbursed, or back to payable. */
const MOVES = {
  scheduled: { from: 'payable', to: TreasuryAccount.payoutsInTransit },
  succeeded: { from: TreasuryAccount.payoutsInTransit, to: TreasuryAccount.payoutsDisbursed },
  failed: { from: TreasuryAccount.payoutsInTransit, to: 'payable' },
  reversed: { from: TreasuryAccount.payoutsDisbursed, to: 'payable' },
} as const;

type PayoutStep = keyof typeof MOVES;

/**
 * Mirrors payouts' state machine in the ledger (docs/payout-rules.md): a scheduled payout leaves the payee's payable
 * balance, a paid one is disbursed, a failed or reversed one returns to the payable balance. One transaction
 * per step, keyed by payout and step, so a redelivered event posts nothing.
 */
@Injectable()
export class PayoutPostings {
  private readonly logger = new Logger('PayoutPostings');

  constructor(
    private readonly journal: LedgerJournal,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @OnEvent(PayoutScheduledV1)
  onScheduled(event: CloudEvent<PayoutData>, { manager }: EventContext): Promise<void> {
    return this.post(manager, 'scheduled', event.data, {});
  }

  @OnEvent(PayoutSucceededV1)
  onSucceeded(event: CloudEvent<DataOf<typeof PayoutSucceededV1>>, { manager }: EventContext): Promise<void> {
    return this.post(manager, 'succeeded', event.data, { reference: event.data.reference });
  }

  @OnEvent(PayoutFailedV1)
  onFailed(event: CloudEvent<DataOf<typeof PayoutFailedV1>>, { manager }: EventContext): Promise<void> {
    return this.post(manager, 'failed', event.data, { code: event.data.code });
  }

  @OnEvent(PayoutReversedV1)
  onReversed(event: CloudEvent<DataOf<typeof PayoutReversedV1>>, { manager }: EventContext): Promise<void> {
    return this.post(manager, 'reversed', event.data, { reference: event.data.reference });
  }

  private async post(
    manager: EntityManager,
    step: PayoutStep,
    payout: PayoutData,
    facts: Record<string, string>,
  ): Promise<void> {
    // Recorded as it happened, but nothing the ledger made payable is in another currency: `verify` checks
    // the treasury currency's payables, and this says which payout was not backed by a redemption.
    if (payout.currency !== this.config.LEDGER_CURRENCY)
      this.logger.warn(
        `payout ${payout.payoutId} ${step} in ${payout.currency}: redemptions pay only in ${this.config.LEDGER_CURRENCY}`,
      );
    const account = (name: string) => (name === 'payable' ? payableAccount(payout.payee) : name);
    const amount = BigInt(payout.amountMinor);
    await this.journal.post(manager, {
      key: `payout:${payout.payoutId}:${step}`,
      kind: `payout_${step}`,
      period: payout.period,
      memo: { payoutId: payout.payoutId, payee: payout.payee, rail: payout.rail, ...facts },
      postings: [
        { account: account(MOVES[step].from), unit: payout.currency, amount: -amount },
        { account: account(MOVES[step].to), unit: payout.currency, amount },
      ],
    });
  }
}

import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PaymentCapturedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { openPeriodFor } from '../periods/open-periods.js';
import { PeriodClosesRepository } from '../periods/period-closes.repository.js';
import { Treasury } from './treasury.js';

/** Identity's captured payments become tokens, once per payment however often the event arrives. */
@Injectable()
export class PaymentMinting {
  constructor(
    private readonly treasury: Treasury,
    private readonly journal: LedgerJournal,
    private readonly closes: PeriodClosesRepository,
  ) {}

  @OnEvent(PaymentCapturedV1)
  async onPaymentCaptured(
    event: CloudEvent<DataOf<typeof PaymentCapturedV1>>,
    context: EventContext,
  ): Promise<void> {
    // Under the journal lock, so no close of the period can slip in between the check and the mint.
    const { manager } = context;
    await this.journal.lock(manager);
    await this.treasury.mintPayment(manager, {
      paymentId: event.data.paymentId,
      subscriberId: event.data.subscriber,
      period: await openPeriodFor(
        (period) => this.closes.isClosed(manager, period),
        event.data.period,
        new Date(event.time),
      ),
      amountMinor: BigInt(event.data.amountMinor),
      currency: event.data.currency,
    });
  }
}

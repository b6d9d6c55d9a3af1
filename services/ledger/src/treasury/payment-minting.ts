import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, nextPeriod, PaymentCapturedV1, periodOf } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { Treasury } from './treasury.js';

/** Identity's captured payments become tokens, once per payment however often the event arrives. */
@Injectable()
export class PaymentMinting {
  constructor(
    private readonly treasury: Treasury,
    private readonly journal: LedgerJournal,
  ) {}

  @OnEvent(PaymentCapturedV1)
  async onPaymentCaptured(
    event: CloudEvent<DataOf<typeof PaymentCapturedV1>>,
    context: EventContext,
  ): Promise<void> {
    // Under the journal lock, so no close of the period can slip in between the check and the mint.
    await this.journal.lock(context.manager);
    await this.treasury.mintPayment(context.manager, {
      paymentId: event.data.paymentId,
      subscriberId: event.data.subscriber,
      period: await openPeriodFor(context.manager, event.data.period, new Date(event.time)),
      amountMinor: BigInt(event.data.amountMinor),
      currency: event.data.currency,
    });
  }
}

/**
 * The period whose escrow a payment funds: its own, unless that period is already closed (a payment captured
 * after the close); then the first open period from when it was captured, so the fee still reaches the
 * services the subscriber uses instead of sitting in an escrow no allocation will ever read.
 */
export async function openPeriodFor(
  manager: EntityManager,
  period: string,
  capturedAt: Date,
): Promise<string> {
  if (!(await isPeriodClosed(manager, period))) return period;
  let candidate = periodOf(capturedAt) > period ? periodOf(capturedAt) : nextPeriod(period);
  while (await isPeriodClosed(manager, candidate)) candidate = nextPeriod(candidate);
  return candidate;
}

export async function isPeriodClosed(manager: EntityManager, period: string): Promise<boolean> {
  return (
    ((await manager.query('SELECT 1 FROM period_closes WHERE period = $1', [period])) as unknown[]).length > 0
  );
}

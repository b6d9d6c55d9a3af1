import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PaymentCapturedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { Treasury } from './treasury.js';

/** Identity's captured payments become tokens, once per payment however often the event arrives. */
@Injectable()
export class PaymentMinting {
  constructor(private readonly treasury: Treasury) {}

  @OnEvent(PaymentCapturedV1)
  async onPaymentCaptured(
    event: CloudEvent<DataOf<typeof PaymentCapturedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.treasury.mintPayment(context.manager, {
      paymentId: event.data.paymentId,
      subscriberId: event.data.subscriber,
      period: event.data.period,
      amountMinor: BigInt(event.data.amountMinor),
      currency: event.data.currency,
    });
  }
}

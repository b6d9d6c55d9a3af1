import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  PaymentDisputeFundsReinstatedV1,
  PaymentDisputeFundsWithdrawnV1,
  PaymentRefundedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PaymentReversalLedger } from './payment-reversal-ledger.js';

const withdrawalKey = (disputeId: string) => `dispute-withdrawal:${disputeId}`;

/** Identity's refunds and disputes, each posted once however often its event arrives (keyed by identity's ids). */
@Injectable()
export class PaymentReversalEvents {
  constructor(private readonly ledger: PaymentReversalLedger) {}

  @OnEvent(PaymentRefundedV1)
  async onRefunded(
    event: CloudEvent<DataOf<typeof PaymentRefundedV1>>,
    context: EventContext,
  ): Promise<void> {
    const refund = event.data;
    await this.ledger.post(context.manager, {
      key: `refund:${refund.refundId}`,
      kind: 'refund',
      paymentId: refund.paymentId,
      currency: refund.currency,
      amount: BigInt(refund.amountMinor),
      sourceId: refund.refundId,
      reference: refund.providerRefundId,
      reason: refund.reason,
      occurredAt: new Date(refund.refundedAt),
    });
  }

  @OnEvent(PaymentDisputeFundsWithdrawnV1)
  async onDisputeFundsWithdrawn(
    event: CloudEvent<DataOf<typeof PaymentDisputeFundsWithdrawnV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.ledger.post(context.manager, {
      ...disputeMovement(event.data, 'dispute_withdrawal', event.data.withdrawnAt),
      key: withdrawalKey(event.data.disputeId),
    });
  }

  @OnEvent(PaymentDisputeFundsReinstatedV1)
  async onDisputeFundsReinstated(
    event: CloudEvent<DataOf<typeof PaymentDisputeFundsReinstatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.ledger.post(context.manager, {
      ...disputeMovement(event.data, 'dispute_reinstatement', event.data.reinstatedAt),
      key: `dispute-reinstatement:${event.data.disputeId}`,
      undoes: withdrawalKey(event.data.disputeId),
    });
  }
}

function disputeMovement(
  dispute: Omit<DataOf<typeof PaymentDisputeFundsWithdrawnV1>, 'withdrawnAt'>,
  kind: 'dispute_withdrawal' | 'dispute_reinstatement',
  at: string,
) {
  return {
    kind,
    paymentId: dispute.paymentId,
    currency: dispute.currency,
    amount: BigInt(dispute.amountMinor),
    sourceId: dispute.disputeId,
    reference: dispute.providerDisputeId,
    reason: dispute.reason,
    occurredAt: new Date(at),
  };
}

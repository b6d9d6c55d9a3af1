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
    const dispute = event.data;
    await this.ledger.post(context.manager, {
      key: withdrawalKey(dispute.disputeId),
      kind: 'dispute_withdrawal',
      paymentId: dispute.paymentId,
      currency: dispute.currency,
      amount: BigInt(dispute.amountMinor),
      sourceId: dispute.disputeId,
      reference: dispute.providerDisputeId,
      reason: dispute.reason,
      occurredAt: new Date(dispute.withdrawnAt),
    });
  }

  @OnEvent(PaymentDisputeFundsReinstatedV1)
  async onDisputeFundsReinstated(
    event: CloudEvent<DataOf<typeof PaymentDisputeFundsReinstatedV1>>,
    context: EventContext,
  ): Promise<void> {
    const dispute = event.data;
    await this.ledger.post(context.manager, {
      key: `dispute-reinstatement:${dispute.disputeId}`,
      kind: 'dispute_reinstatement',
      paymentId: dispute.paymentId,
      currency: dispute.currency,
      amount: BigInt(dispute.amountMinor),
      sourceId: dispute.disputeId,
      reference: dispute.providerDisputeId,
      reason: dispute.reason,
      occurredAt: new Date(dispute.reinstatedAt),
      undoes: withdrawalKey(dispute.disputeId),
    });
  }
}

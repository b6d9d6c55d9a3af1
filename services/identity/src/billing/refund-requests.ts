import { Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { DataSource } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { type RefundRequestDto, type RefundRequestedDto } from './dto.js';
import { Payment } from './payment.entity.js';
import { PaymentsRepository } from './payments.repository.js';
import { StripeGateway } from './stripe-gateway.js';

/**
 * An admin's refund of a payment: checked against what identity knows is left of it, then asked of Stripe
 * with an idempotency key. Nothing is recorded here: the refund reaches the books through Stripe's webhook,
 * like a refund made in Stripe's dashboard.
 */
@Injectable()
export class RefundRequests {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly stripe: StripeGateway,
  ) {}

  async request(
    adminId: string,
    paymentId: string,
    input: RefundRequestDto,
    idempotencyKey: string | undefined,
  ): Promise<RefundRequestedDto> {
    const payment = await this.dataSource.getRepository(Payment).findOne({ where: { id: paymentId } });
    if (!payment) throw IdentityError.notFound('payment_not_found', 'No payment has this id.');
    const reversed = await this.payments.reversedOf(paymentId);
    if (reversed.disputed)
      throw IdentityError.conflict(
        'payment_disputed',
        'The payment is disputed; a dispute is settled by the bank.',
      );
    const left = payment.amountMinor - reversed.refundedMinor - reversed.withdrawnMinor;
    if (input.amountMinor > left) {
      throw IdentityError.conflict(
        'refund_exceeds_payment',
        `${left} ${payment.currency} minor units of this payment are left to refund.`,
        'amountMinor',
      );
    }
    const paymentIntentId = await this.stripe.paymentIntentOfInvoice(payment.providerPaymentId);
    if (paymentIntentId === null)
      throw IdentityError.conflict('payment_not_refundable', 'Stripe has no card payment for this payment.');
    const refund = await this.stripe.createRefund({
      paymentIntentId,
      amountMinor: input.amountMinor,
      reason: input.reason,
      metadata: { payment_id: payment.id, requested_by: adminId },
      idempotencyKey: `refund-${payment.id}-${idempotencyKey ?? uuidV7()}`,
    });
    return {
      paymentId: payment.id,
      providerRefundId: refund.id,
      amountMinor: String(refund.amount),
      currency: payment.currency,
      reason: input.reason,
      status: refund.status ?? 'pending',
    };
  }
}

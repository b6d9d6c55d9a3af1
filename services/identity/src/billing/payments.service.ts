import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payment } from './payment.entity.js';
import { PaymentsRepository } from './payments.repository.js';

export interface PaymentRefundDto {
  readonly id: string;
  readonly amountMinor: string;
  /** Stripe's reason, null when none was given. */
  readonly reason: string | null;
  readonly refundedAt: string;
}

export interface PaymentDisputeDto {
  readonly id: string;
  readonly amountMinor: string;
  readonly reason: string;
  /** Stripe's status: `needs_response`, `under_review`, `won`, `lost`, … */
  readonly status: string;
  readonly openedAt: string;
  /** When the disputed amount was taken back, and (if the dispute was won) when it came back. */
  readonly fundsWithdrawnAt: string | null;
  readonly fundsReinstatedAt: string | null;
}

export interface PaymentDto {
  readonly id: string;
  readonly subscriptionId: string;
  readonly period: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly capturedAt: string;
  /** What went back: the refunds, and disputed amounts withdrawn and not reinstated. */
  readonly refundedMinor: string;
  readonly disputedMinor: string;
  readonly refunds: readonly PaymentRefundDto[];
  readonly disputes: readonly PaymentDisputeDto[];
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

@Injectable()
export class PaymentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
  ) {}

  /** The account's own payments, newest period first, each with its refunds and disputes. */
  async ofAccount(accountId: string): Promise<PaymentDto[]> {
    const payments = await this.dataSource
      .getRepository(Payment)
      .find({ where: { accountId }, order: { period: 'DESC', capturedAt: 'DESC' }, take: 120 });
    const ids = payments.map((payment) => payment.id);
    const refunds = await this.payments.refundsOf(ids);
    const disputes = await this.payments.disputesOf(ids);
    return payments.map((payment) => {
      const own = <Reversal extends { paymentId: string }>(reversals: Reversal[]) =>
        reversals.filter((reversal) => reversal.paymentId === payment.id);
      const ownRefunds = own(refunds);
      const ownDisputes = own(disputes);
      const withdrawn = ownDisputes.filter(
        (dispute) => dispute.fundsWithdrawnAt !== null && dispute.fundsReinstatedAt === null,
      );
      return {
        id: payment.id,
        subscriptionId: payment.subscriptionId,
        period: payment.period,
        amountMinor: payment.amountMinor.toString(),
        currency: payment.currency,
        capturedAt: payment.capturedAt.toISOString(),
        refundedMinor: sum(ownRefunds).toString(),
        disputedMinor: sum(withdrawn).toString(),
        refunds: ownRefunds.map((refund) => ({
          id: refund.id,
          amountMinor: refund.amountMinor.toString(),
          reason: refund.reason,
          refundedAt: refund.refundedAt.toISOString(),
        })),
        disputes: ownDisputes.map((dispute) => ({
          id: dispute.id,
          amountMinor: dispute.amountMinor.toString(),
          reason: dispute.reason,
          status: dispute.status,
          openedAt: dispute.openedAt.toISOString(),
          fundsWithdrawnAt: iso(dispute.fundsWithdrawnAt),
          fundsReinstatedAt: iso(dispute.fundsReinstatedAt),
        })),
      };
    });
  }
}

const sum = (reversals: readonly { amountMinor: bigint }[]) =>
  reversals.reduce((total, reversal) => total + reversal.amountMinor, 0n);

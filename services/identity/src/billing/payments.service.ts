import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Payment } from './payment.entity.js';

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

interface RefundRow {
  id: string;
  payment_id: string;
  amount_minor: string;
  reason: string | null;
  refunded_at: Date;
}

interface DisputeRow {
  id: string;
  payment_id: string;
  amount_minor: string;
  reason: string;
  status: string;
  opened_at: Date;
  funds_withdrawn_at: Date | null;
  funds_reinstated_at: Date | null;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

@Injectable()
export class PaymentsService {
  constructor(private readonly dataSource: DataSource) {}

  /** The account's own payments, newest period first, each with its refunds and disputes. */
  async ofAccount(accountId: string): Promise<PaymentDto[]> {
    const payments = await this.dataSource
      .getRepository(Payment)
      .find({ where: { accountId }, order: { period: 'DESC', capturedAt: 'DESC' }, take: 120 });
    const ids = payments.map((payment) => payment.id);
    const refunds = (await this.dataSource.query(
      `SELECT id, payment_id, amount_minor::text AS amount_minor, reason, refunded_at FROM payment_refunds
        WHERE payment_id = ANY($1::uuid[]) ORDER BY refunded_at, id`,
      [ids],
    )) as RefundRow[];
    const disputes = (await this.dataSource.query(
      `SELECT id, payment_id, amount_minor::text AS amount_minor, reason, status, opened_at, funds_withdrawn_at,
              funds_reinstated_at
         FROM payment_disputes WHERE payment_id = ANY($1::uuid[]) ORDER BY opened_at, id`,
      [ids],
    )) as DisputeRow[];
    return payments.map((payment) => {
      const own = <Row extends { payment_id: string }>(rows: Row[]) =>
        rows.filter((row) => row.payment_id === payment.id);
      const ownRefunds = own(refunds);
      const ownDisputes = own(disputes);
      const withdrawn = ownDisputes.filter(
        (dispute) => dispute.funds_withdrawn_at !== null && dispute.funds_reinstated_at === null,
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
          amountMinor: refund.amount_minor,
          reason: refund.reason,
          refundedAt: refund.refunded_at.toISOString(),
        })),
        disputes: ownDisputes.map((dispute) => ({
          id: dispute.id,
          amountMinor: dispute.amount_minor,
          reason: dispute.reason,
          status: dispute.status,
          openedAt: dispute.opened_at.toISOString(),
          fundsWithdrawnAt: iso(dispute.funds_withdrawn_at),
          fundsReinstatedAt: iso(dispute.funds_reinstated_at),
        })),
      };
    });
  }
}

const sum = (rows: readonly { amount_minor: string }[]) =>
  rows.reduce((total, row) => total + BigInt(row.amount_minor), 0n);

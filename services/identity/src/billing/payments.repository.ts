import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { bigintText, queryOne, queryRows, queryExists } from '@onecommons/persistence';

export interface NewPayment {
  readonly id: string;
  readonly subscriptionId: string;
  readonly accountId: string;
  readonly period: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly providerPaymentId: string;
  readonly providerEventId: string;
  readonly capturedAt: Date;
}

export interface PaymentRefund {
  readonly id: string;
  readonly paymentId: string;
  readonly amountMinor: bigint;
  readonly reason: string | null;
  readonly refundedAt: Date;
}

export interface NewPaymentRefund {
  readonly id: string;
  readonly paymentId: string;
  readonly providerRefundId: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly reason: string | null;
  readonly providerEventId: string;
  readonly refundedAt: Date;
}

export interface PaymentDispute {
  readonly id: string;
  readonly paymentId: string;
  readonly amountMinor: bigint;
  readonly reason: string;
  readonly status: string;
  readonly openedAt: Date;
  readonly fundsWithdrawnAt: Date | null;
  readonly fundsReinstatedAt: Date | null;
}

export interface NewPaymentDispute {
  readonly id: string;
  readonly paymentId: string;
  readonly providerDisputeId: string;
  readonly amountMinor: string;
  readonly currency: string;
  readonly reason: string;
  readonly status: string;
  readonly openedAt: Date;
}

/** Where a dispute stands: what its next event may move on. */
export interface DisputeStanding {
  readonly id: string;
  readonly status: string;
  readonly fundsWithdrawnAt: Date | null;
  readonly fundsReinstatedAt: Date | null;
}

/** What went back of a payment: its refunds, disputed amounts withdrawn and not reinstated, any open dispute. */
export interface PaymentReversed {
  readonly refundedMinor: bigint;
  readonly withdrawnMinor: bigint;
  /** Whether the payment has a dispute not won. */
  readonly disputed: boolean;
}

const idRow = z.object({ id: z.string() });

const refundRow = z
  .object({
    id: z.string(),
    payment_id: z.string(),
    amount_minor: bigintText,
    reason: z.string().nullable(),
    refunded_at: z.date(),
  })
  .transform((row): PaymentRefund => ({
    id: row.id,
    paymentId: row.payment_id,
    amountMinor: row.amount_minor,
    reason: row.reason,
    refundedAt: row.refunded_at,
  }));

const disputeRow = z
  .object({
    id: z.string(),
    payment_id: z.string(),
    amount_minor: bigintText,
    reason: z.string(),
    status: z.string(),
    opened_at: z.date(),
    funds_withdrawn_at: z.date().nullable(),
    funds_reinstated_at: z.date().nullable(),
  })
  .transform((row): PaymentDispute => ({
    id: row.id,
    paymentId: row.payment_id,
    amountMinor: row.amount_minor,
    reason: row.reason,
    status: row.status,
    openedAt: row.opened_at,
    fundsWithdrawnAt: row.funds_withdrawn_at,
    fundsReinstatedAt: row.funds_reinstated_at,
  }));

const disputeStandingRow = z
  .object({
    id: z.string(),
    status: z.string(),
    funds_withdrawn_at: z.date().nullable(),
    funds_reinstated_at: z.date().nullable(),
  })
  .transform((row): DisputeStanding => ({
    id: row.id,
    status: row.status,
    fundsWithdrawnAt: row.funds_withdrawn_at,
    fundsReinstatedAt: row.funds_reinstated_at,
  }));

const reversedRow = z
  .object({ refunded: bigintText, withdrawn: bigintText, disputed: z.boolean() })
  .transform((row): PaymentReversed => ({
    refundedMinor: row.refunded,
    withdrawnMinor: row.withdrawn,
    disputed: row.disputed,
  }));

/** Payments captured through Stripe and what reversed them: their refunds and disputes. */
@Injectable()
export class PaymentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the provider's payment is recorded already (another event reported it). */
  async capture(manager: EntityManager, payment: NewPayment): Promise<boolean> {
    const inserted = await queryRows(
      manager,
      {
        name: 'payments.capture',
        row: idRow,
        sql: `INSERT INTO payments (id, subscription_id, account_id, period, amount_minor, currency, provider,
                             provider_payment_id, provider_event_id, captured_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'stripe', $7, $8, $9)
       ON CONFLICT (provider, provider_payment_id) DO NOTHING RETURNING id`,
      },
      [
        payment.id,
        payment.subscriptionId,
        payment.accountId,
        payment.period,
        payment.amountMinor,
        payment.currency,
        payment.providerPaymentId,
        payment.providerEventId,
        payment.capturedAt,
      ],
    );
    return inserted.length > 0;
  }

  /** Whether a Stripe subscription is one of ours, by Stripe's id or by the id we gave it (when it is a UUID). */
  async knowsSubscription(providerSubscriptionId: string, localId: string | null): Promise<boolean> {
    return queryExists(
      this.dataSource,
      {
        name: 'payments.knowsSubscription',
        sql: 'SELECT 1 FROM subscriptions WHERE provider_subscription_id = $1 OR id = $2::uuid',
      },
      [providerSubscriptionId, localId],
    );
  }

  /** The payments' refunds, oldest first. */
  async refundsOf(paymentIds: readonly string[]): Promise<PaymentRefund[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'payments.refundsOf',
        row: refundRow,
        sql: `SELECT id, payment_id, amount_minor::text AS amount_minor, reason, refunded_at FROM payment_refunds
        WHERE payment_id = ANY($1::uuid[]) ORDER BY refunded_at, id`,
      },
      [paymentIds],
    );
  }

  /** The payments' disputes, oldest first. */
  async disputesOf(paymentIds: readonly string[]): Promise<PaymentDispute[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'payments.disputesOf',
        row: disputeRow,
        sql: `SELECT id, payment_id, amount_minor::text AS amount_minor, reason, status, opened_at, funds_withdrawn_at,
              funds_reinstated_at
         FROM payment_disputes WHERE payment_id = ANY($1::uuid[]) ORDER BY opened_at, id`,
      },
      [paymentIds],
    );
  }

  async reversedOf(paymentId: string): Promise<PaymentReversed> {
    return queryOne(
      this.dataSource,
      {
        name: 'payments.reversedOf',
        row: reversedRow,
        sql: `SELECT (SELECT coalesce(sum(amount_minor), 0) FROM payment_refunds WHERE payment_id = $1)::text AS refunded,
              (SELECT coalesce(sum(amount_minor), 0) FROM payment_disputes
                WHERE payment_id = $1 AND funds_withdrawn_at IS NOT NULL AND funds_reinstated_at IS NULL)::text AS withdrawn,
              EXISTS (SELECT 1 FROM payment_disputes WHERE payment_id = $1 AND status <> 'won') AS disputed`,
      },
      [paymentId],
    );
  }

  /** False when the provider's refund is recorded already. */
  async recordRefund(manager: EntityManager, refund: NewPaymentRefund): Promise<boolean> {
    const inserted = await queryRows(
      manager,
      {
        name: 'payments.recordRefund',
        row: idRow,
        sql: `INSERT INTO payment_refunds (id, payment_id, provider, provider_refund_id, amount_minor, currency, reason,
                                      provider_event_id, refunded_at)
         VALUES ($1, $2, 'stripe', $3, $4, $5, $6, $7, $8)
         ON CONFLICT (provider, provider_refund_id) DO NOTHING RETURNING id`,
      },
      [
        refund.id,
        refund.paymentId,
        refund.providerRefundId,
        refund.amountMinor,
        refund.currency,
        refund.reason,
        refund.providerEventId,
        refund.refundedAt,
      ],
    );
    return inserted.length > 0;
  }

  /** Records the provider's dispute unless it is recorded already. */
  async recordDispute(manager: EntityManager, dispute: NewPaymentDispute): Promise<void> {
    await manager.query(
      `INSERT INTO payment_disputes (id, payment_id, provider, provider_dispute_id, amount_minor, currency, reason,
                                     status, opened_at)
       VALUES ($1, $2, 'stripe', $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, provider_dispute_id) DO NOTHING`,
      [
        dispute.id,
        dispute.paymentId,
        dispute.providerDisputeId,
        dispute.amountMinor,
        dispute.currency,
        dispute.reason,
        dispute.status,
        dispute.openedAt,
      ],
    );
  }

  /** A recorded dispute, locked until the transaction ends. */
  async lockDispute(manager: EntityManager, providerDisputeId: string): Promise<DisputeStanding> {
    return queryOne(
      manager,
      {
        name: 'payments.lockDispute',
        row: disputeStandingRow,
        sql: `SELECT id, status, funds_withdrawn_at, funds_reinstated_at FROM payment_disputes
        WHERE provider = 'stripe' AND provider_dispute_id = $1 FOR UPDATE`,
      },
      [providerDisputeId],
    );
  }

  async updateDispute(
    manager: EntityManager,
    disputeId: string,
    standing: {
      readonly status: string;
      readonly fundsWithdrawnAt: Date | null;
      readonly fundsReinstatedAt: Date | null;
    },
  ): Promise<void> {
    await manager.query(
      `UPDATE payment_disputes SET status = $2, funds_withdrawn_at = $3, funds_reinstated_at = $4, updated_at = now()
        WHERE id = $1`,
      [disputeId, standing.status, standing.fundsWithdrawnAt, standing.fundsReinstatedAt],
    );
  }
}

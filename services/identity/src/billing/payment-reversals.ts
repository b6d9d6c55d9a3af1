import { Injectable, Logger } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  PaymentDisputeFundsReinstatedV1,
  PaymentDisputeFundsWithdrawnV1,
  PaymentRefundedV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { Payment } from './payment.entity.js';
import { PaymentsRepository } from './payments.repository.js';
import { type WebhookOutcome } from './stripe-event-processor.js';
import { StripeGateway } from './stripe-gateway.js';
import { IDENTITY_SOURCE } from './subscriptions.service.js';

/** What an event is about, resolved to one of our payments before the transaction that records it. */
export type PreparedReversal =
  | { readonly kind: 'refunds'; readonly payment: Payment; readonly refunds: readonly Stripe.Refund[] }
  | { readonly kind: 'dispute'; readonly payment: Payment; readonly dispute: Stripe.Dispute }
  | { readonly kind: 'not_ours'; readonly paymentIntent: string | null };

/** Needs a response < under review < decided: a late snapshot of an earlier state never moves a dispute back. */
const DISPUTE_STATUS_RANK: Readonly<Record<string, number>> = {
  warning_needs_response: 0,
  needs_response: 0,
  warning_under_review: 1,
  under_review: 1,
  warning_closed: 2,
  won: 2,
  lost: 2,
};
const rankOf = (status: string) => DISPUTE_STATUS_RANK[status] ?? 0;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value === null || value === undefined ? null : typeof value === 'string' ? value : value.id;
const atSeconds = (seconds: number) => new Date(seconds * 1_000);

/**
 * Records refunds and disputes against the payment they reverse and announces each money movement once:
 * a refund (by Stripe's refund id), a dispute's withdrawal and its reinstatement (by Stripe's dispute id).
 * The state comes from the objects, not the event type, so a duplicate, a replay or events out of order
 * (a reinstatement delivered before its withdrawal) announce each movement once and in order.
 */
@Injectable()
export class PaymentReversals {
  private readonly logger = new Logger(PaymentReversals.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxWriter,
    private readonly stripe: StripeGateway,
  ) {}

  /** Asks Stripe which payment the event is about (outside any transaction: a network call). */
  async prepare(event: Stripe.Event): Promise<PreparedReversal> {
    if (event.type === 'refund.created' || event.type === 'refund.updated') {
      const refund = event.data.object;
      return this.onPayment(idOf(refund.payment_intent), (payment) => ({
        kind: 'refunds',
        payment,
        refunds: [refund],
      }));
    }
    if (event.type === 'charge.refunded') {
      const charge = event.data.object;
      return this.onPayment(idOf(charge.payment_intent), async (payment) => ({
        kind: 'refunds',
        payment,
        refunds: await this.stripe.refundsOfCharge(charge.id),
      }));
    }
    const dispute = event.data.object as Stripe.Dispute;
    return this.onPayment(idOf(dispute.payment_intent), (payment) => ({ kind: 'dispute', payment, dispute }));
  }

  async apply(
    manager: EntityManager,
    event: Stripe.Event,
    prepared: PreparedReversal,
  ): Promise<WebhookOutcome> {
    if (prepared.kind === 'not_ours') {
      this.logger.warn(
        `${event.type} for ${prepared.paymentIntent ?? 'no PaymentIntent'}: no payment of ours; ignored`,
      );
      return 'ignored';
    }
    if (prepared.kind === 'refunds')
      return this.recordRefunds(manager, event.id, prepared.payment, prepared.refunds);
    return this.recordDispute(manager, event, prepared.payment, prepared.dispute);
  }

  private async onPayment(
    paymentIntent: string | null,
    then: (payment: Payment) => PreparedReversal | Promise<PreparedReversal>,
  ): Promise<PreparedReversal> {
    const payment = paymentIntent === null ? null : await this.paymentPaidBy(paymentIntent);
    return payment ? then(payment) : { kind: 'not_ours', paymentIntent };
  }

  /**
   * Our payment for the invoice the PaymentIntent paid. When the invoice is one of our subscriptions' but its
   * payment is not recorded yet (its `invoice.paid` is still on the way), a 503: Stripe delivers again later.
   */
  private async paymentPaidBy(paymentIntent: string): Promise<Payment | null> {
    const invoiceId = await this.stripe.invoiceOfPaymentIntent(paymentIntent);
    if (invoiceId === null) return null;
    const payment = await this.dataSource
      .getRepository(Payment)
      .findOne({ where: { provider: 'stripe', providerPaymentId: invoiceId } });
    if (payment) return payment;
    const subscription = await this.stripe.invoiceSubscription(invoiceId);
    if (subscription === null) return null;
    const localId =
      subscription.localId !== undefined && UUID.test(subscription.localId) ? subscription.localId : null;
    if (!(await this.payments.knowsSubscription(subscription.providerId, localId))) return null;
    throw new IdentityError(
      'unavailable',
      'payment_not_recorded_yet',
      `The payment of invoice ${invoiceId} is not recorded yet; deliver this event again later.`,
      { retryAfterSeconds: 60 },
    );
  }

  private async recordRefunds(
    manager: EntityManager,
    eventId: string,
    payment: Payment,
    refunds: readonly Stripe.Refund[],
  ): Promise<WebhookOutcome> {
    const succeeded = refunds.filter((refund) => refund.status === 'succeeded');
    for (const refund of refunds.filter((candidate) => candidate.status === 'failed')) {
      this.logger.warn(
        `refund ${refund.id} of payment ${payment.id} failed at Stripe; a recorded refund stays recorded`,
      );
    }
    if (succeeded.length === 0) return 'ignored';
    const events: CloudEvent[] = [];
    for (const refund of succeeded) {
      const refundId = uuidV7();
      const refundedAt = atSeconds(refund.created);
      const recorded = await this.payments.recordRefund(manager, {
        id: refundId,
        paymentId: payment.id,
        providerRefundId: refund.id,
        amountMinor: String(refund.amount),
        currency: payment.currency,
        reason: refund.reason,
        providerEventId: eventId,
        refundedAt,
      });
      if (!recorded) continue;
      events.push(
        createEvent(
          PaymentRefundedV1,
          {
            ...this.paymentFields(payment, eventId),
            amountMinor: String(refund.amount),
            refundId,
            providerRefundId: refund.id,
            reason: refund.reason ?? null,
            refundedAt: refundedAt.toISOString(),
          },
          { source: IDENTITY_SOURCE },
        ),
      );
    }
    await this.outbox.append(manager, events);
    return events.length > 0 ? 'applied' : 'duplicate';
  }

  private async recordDispute(
    manager: EntityManager,
    event: Stripe.Event,
    payment: Payment,
    dispute: Stripe.Dispute,
  ): Promise<WebhookOutcome> {
    await this.payments.recordDispute(manager, {
      id: uuidV7(),
      paymentId: payment.id,
      providerDisputeId: dispute.id,
      amountMinor: String(dispute.amount),
      currency: payment.currency,
      reason: dispute.reason,
      status: dispute.status,
      openedAt: atSeconds(dispute.created),
    });
    // Two events about one dispute at once: the row lock makes the second see what the first recorded.
    const current = await this.payments.lockDispute(manager, dispute.id);
    const movement = (category: string) =>
      dispute.balance_transactions.find((transaction) => transaction.reporting_category === category);
    const reinstated =
      event.type === 'charge.dispute.funds_reinstated' || movement('dispute_reversal') !== undefined;
    const withdrawn =
      reinstated || event.type === 'charge.dispute.funds_withdrawn' || movement('dispute') !== undefined;
    const at = (category: string) => atSeconds(movement(category)?.created ?? event.created);
    const fields = {
      ...this.paymentFields(payment, event.id),
      amountMinor: String(dispute.amount),
      disputeId: current.id,
      providerDisputeId: dispute.id,
      reason: dispute.reason,
    };
    const events: CloudEvent[] = [];
    const withdrawnAt = current.fundsWithdrawnAt ?? (withdrawn ? at('dispute') : null);
    if (withdrawn && current.fundsWithdrawnAt === null) {
      events.push(
        createEvent(
          PaymentDisputeFundsWithdrawnV1,
          { ...fields, withdrawnAt: withdrawnAt!.toISOString() },
          { source: IDENTITY_SOURCE },
        ),
      );
    }
    const reinstatedAt = current.fundsReinstatedAt ?? (reinstated ? at('dispute_reversal') : null);
    if (reinstated && current.fundsReinstatedAt === null) {
      events.push(
        createEvent(
          PaymentDisputeFundsReinstatedV1,
          { ...fields, reinstatedAt: reinstatedAt!.toISOString() },
          { source: IDENTITY_SOURCE },
        ),
      );
    }
    const status = rankOf(dispute.status) >= rankOf(current.status) ? dispute.status : current.status;
    if (events.length === 0 && status === current.status) return 'duplicate';
    await this.payments.updateDispute(manager, current.id, {
      status,
      fundsWithdrawnAt: withdrawnAt,
      fundsReinstatedAt: reinstatedAt,
    });
    await this.outbox.append(manager, events);
    return 'applied';
  }

  private paymentFields(payment: Payment, providerEventId: string) {
    return {
      subscriber: payment.accountId,
      subscriptionId: payment.subscriptionId,
      paymentId: payment.id,
      period: payment.period,
      currency: payment.currency,
      provider: 'stripe' as const,
      providerEventId,
    };
  }
}

import { Injectable, Logger } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  PaymentCapturedV1,
  SubscriptionEndedV1,
  SubscriptionPastDueV1,
  SubscriptionRenewedV1,
  SubscriptionStartedV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import type Stripe from 'stripe';
import { DataSource, type EntityManager } from 'typeorm';
import { laterPeriod, periodOfUnixSeconds } from './billing-period.js';
import { countPaymentProviderEvent } from './payment-event-metrics.js';
import { REVERSAL_EVENT_TYPES } from './payment-event-types.js';
import { PaymentProviderEventsRepository } from './payment-provider-events.repository.js';
import { type PreparedReversal, PaymentReversals } from './payment-reversals.js';
import { PaymentsRepository } from './payments.repository.js';
import { Subscription } from './subscription.entity.js';
import { adoptPeriod, IDENTITY_SOURCE, markCancelled } from './subscriptions.service.js';

export type WebhookOutcome = 'applied' | 'duplicate' | 'ignored';

/**
 * Applies Stripe's webhook events. Model: one Stripe subscription per identity subscription, one invoice
 * per calendar month; the invoice line's service period names the period paid for.
 * - `invoice.paid` captures the payment (PaymentCaptured) and starts or renews the subscription;
 * - `invoice.payment_failed` makes it past due for that period;
 * - `customer.subscription.updated` picks up a cancellation at period end made at Stripe, and expiry;
 * - `customer.subscription.deleted` ends it;
 * - refunds and disputes (`refund.*`, `charge.refunded`, `charge.dispute.*`) go to PaymentReversals.
 * Idempotency: the event id is inserted into payment_provider_events (primary key) in the same transaction
 * as the state change and the outbox rows; a redelivery, even a concurrent one, finds the row and changes
 * nothing. A payment is also unique per invoice, so two different events reporting one payment capture once.
 */
@Injectable()
export class StripeEventProcessor {
  private readonly logger = new Logger(StripeEventProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly providerEvents: PaymentProviderEventsRepository,
    private readonly payments: PaymentsRepository,
    private readonly outbox: OutboxWriter,
    private readonly reversals: PaymentReversals,
  ) {}

  async process(event: Stripe.Event): Promise<WebhookOutcome> {
    let result: WebhookOutcome;
    try {
      result = await this.applyOnce(event);
    } catch (error) {
      countPaymentProviderEvent(event.type, 'failed');
      throw error;
    }
    countPaymentProviderEvent(event.type, result);
    return result;
  }

  /** Records the event id and applies it in one transaction; a redelivery finds the id and changes nothing. */
  private async applyOnce(event: Stripe.Event): Promise<WebhookOutcome> {
    // Which payment a refund or dispute reverses is asked of Stripe before the transaction opens.
    const reversal = REVERSAL_EVENT_TYPES.has(event.type) ? await this.reversals.prepare(event) : undefined;
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.providerEvents.claim(manager, event.id, event.type))) return 'duplicate';
      const outcome = await this.apply(manager, event, reversal);
      await this.providerEvents.recordOutcome(manager, event.id, event.type, outcome);
      return outcome;
    });
  }

  private async apply(
    manager: EntityManager,
    event: Stripe.Event,
    reversal: PreparedReversal | undefined,
  ): Promise<WebhookOutcome> {
    if (reversal) return this.reversals.apply(manager, event, reversal);
    switch (event.type) {
      case 'invoice.paid':
        return this.onInvoicePaid(manager, event.id, event.data.object);
      case 'invoice.payment_failed':
        return this.onInvoiceFailed(manager, event.data.object);
      case 'customer.subscription.updated':
        return this.onSubscriptionUpdated(manager, event.data.object, new Date(event.created * 1_000));
      case 'customer.subscription.deleted':
        return this.onSubscriptionDeleted(manager, event.data.object);
      default:
        return 'ignored';
    }
  }

  private async onInvoicePaid(
    manager: EntityManager,
    eventId: string,
    invoice: Stripe.Invoice,
  ): Promise<WebhookOutcome> {
    const subscription = await this.subscriptionOfInvoice(manager, invoice);
    const line = invoice.lines.data[0];
    if (!subscription || !line || invoice.amount_paid <= 0) return this.skip('invoice.paid', invoice.id);
    const period = periodOfUnixSeconds(line.period.start);
    const paymentId = uuidV7();
    const capturedAt = new Date(
      (invoice.status_transitions.paid_at ?? Math.floor(Date.now() / 1_000)) * 1_000,
    );
    const currency = invoice.currency.toUpperCase();
    const captured = await this.payments.capture(manager, {
      id: paymentId,
      subscriptionId: subscription.id,
      accountId: subscription.accountId,
      period,
      amountMinor: String(invoice.amount_paid),
      currency,
      providerPaymentId: invoice.id,
      providerEventId: eventId,
      capturedAt,
    });
    // Another event already reported this invoice's payment.
    if (!captured) return 'duplicate';

    const events: CloudEvent[] = [];
    const subscriber = subscription.accountId;
    if (subscription.status === 'incomplete') {
      events.push(
        createEvent(
          SubscriptionStartedV1,
          {
            subscriber,
            subscriptionId: subscription.id,
            plan: subscription.plan,
            currency: subscription.currency,
            amountMinor: subscription.amountMinor.toString(),
            period,
            startedAt: capturedAt.toISOString(),
          },
          { source: IDENTITY_SOURCE },
        ),
      );
    } else if (subscription.status === 'active' || subscription.status === 'past_due') {
      events.push(
        createEvent(
          SubscriptionRenewedV1,
          { subscriber, subscriptionId: subscription.id, period, renewedAt: capturedAt.toISOString() },
          { source: IDENTITY_SOURCE },
        ),
      );
    }
    // Money that arrived is captured whatever the subscription's state: the ledger must see it.
    events.push(
      createEvent(
        PaymentCapturedV1,
        {
          subscriber,
          subscriptionId: subscription.id,
          period,
          amountMinor: String(invoice.amount_paid),
          currency,
          paymentId,
          provider: 'stripe',
          providerPaymentId: invoice.id,
          providerEventId: eventId,
          capturedAt: capturedAt.toISOString(),
        },
        { source: IDENTITY_SOURCE },
      ),
    );
    if (subscription.status === 'incomplete' || subscription.status === 'past_due')
      subscription.status = 'active';
    subscription.paidPeriod = laterPeriod(subscription.paidPeriod, period);
    if (subscription.unpaidPeriod !== null && subscription.unpaidPeriod <= period)
      subscription.unpaidPeriod = null;
    adoptPeriod(subscription, line.period.start, line.period.end);
    await manager.save(subscription);
    await this.outbox.append(manager, events);
    return 'applied';
  }

  private async onInvoiceFailed(manager: EntityManager, invoice: Stripe.Invoice): Promise<WebhookOutcome> {
    const subscription = await this.subscriptionOfInvoice(manager, invoice);
    const line = invoice.lines.data[0];
    if (!subscription || !line) return this.skip('invoice.payment_failed', invoice.id);
    const period = periodOfUnixSeconds(line.period.start);
    const live =
      subscription.status === 'incomplete' ||
      subscription.status === 'active' ||
      subscription.status === 'past_due';
    const alreadyPaid = subscription.paidPeriod !== null && subscription.paidPeriod >= period;
    if (!live || alreadyPaid) return 'ignored';
    adoptPeriod(subscription, line.period.start, line.period.end);
    // A retry failing again for the same period is not news.
    const news = !(subscription.status === 'past_due' && subscription.unpaidPeriod === period);
    subscription.status = 'past_due';
    subscription.unpaidPeriod = period;
    await manager.save(subscription);
    if (news) {
      await this.outbox.append(manager, [
        createEvent(
          SubscriptionPastDueV1,
          {
            subscriber: subscription.accountId,
            subscriptionId: subscription.id,
            period,
            failedAt: new Date(invoice.created * 1_000).toISOString(),
          },
          { source: IDENTITY_SOURCE },
        ),
      ]);
    }
    return 'applied';
  }

  private async onSubscriptionUpdated(
    manager: EntityManager,
    provider: Stripe.Subscription,
    at: Date,
  ): Promise<WebhookOutcome> {
    const subscription = await this.subscriptionOf(
      manager,
      provider.metadata['subscription_id'],
      provider.id,
    );
    if (!subscription) return this.skip('customer.subscription.updated', provider.id);
    if (provider.status === 'incomplete_expired' || provider.status === 'canceled') {
      return this.end(manager, subscription, provider.ended_at ?? Math.floor(at.getTime() / 1_000));
    }
    if (!provider.cancel_at_period_end || subscription.cancelAtPeriodEnd) return 'ignored';
    const item = provider.items.data[0];
    if (item) adoptPeriod(subscription, item.current_period_start, item.current_period_end);
    await markCancelled(
      manager,
      this.outbox,
      subscription,
      provider.canceled_at ? new Date(provider.canceled_at * 1_000) : at,
    );
    await manager.save(subscription);
    return 'applied';
  }

  private async onSubscriptionDeleted(
    manager: EntityManager,
    provider: Stripe.Subscription,
  ): Promise<WebhookOutcome> {
    const subscription = await this.subscriptionOf(
      manager,
      provider.metadata['subscription_id'],
      provider.id,
    );
    if (!subscription) return this.skip('customer.subscription.deleted', provider.id);
    return this.end(manager, subscription, provider.ended_at ?? Math.floor(Date.now() / 1_000));
  }

  private async end(
    manager: EntityManager,
    subscription: Subscription,
    endedAtSeconds: number,
  ): Promise<WebhookOutcome> {
    if (subscription.status === 'ended' || subscription.status === 'failed') return 'ignored';
    subscription.status = 'ended';
    subscription.endedAt = new Date(endedAtSeconds * 1_000);
    await manager.save(subscription);
    await this.outbox.append(manager, [
      createEvent(
        SubscriptionEndedV1,
        {
          subscriber: subscription.accountId,
          subscriptionId: subscription.id,
          endedAt: subscription.endedAt.toISOString(),
        },
        { source: IDENTITY_SOURCE },
      ),
    ]);
    return 'applied';
  }

  private subscriptionOfInvoice(
    manager: EntityManager,
    invoice: Stripe.Invoice,
  ): Promise<Subscription | null> {
    const details = invoice.parent?.subscription_details;
    if (!details) return Promise.resolve(null);
    const providerId =
      typeof details.subscription === 'string' ? details.subscription : details.subscription.id;
    return this.subscriptionOf(manager, details.metadata?.['subscription_id'], providerId);
  }

  /** Ours by the id we put in the metadata (an early webhook may beat our own record of Stripe's id). */
  private async subscriptionOf(
    manager: EntityManager,
    localId: string | undefined,
    providerId: string,
  ): Promise<Subscription | null> {
    const repository = manager.getRepository(Subscription);
    const lock = { mode: 'pessimistic_write' } as const;
    if (localId && /^[0-9a-f-]{36}$/.test(localId)) {
      const found = await repository.findOne({ where: { id: localId }, lock });
      if (found) return found;
    }
    return repository.findOne({ where: { providerSubscriptionId: providerId }, lock });
  }

  private skip(type: string, id: string): WebhookOutcome {
    this.logger.warn(`${type} for ${id}: no subscription of ours; recorded and ignored`);
    return 'ignored';
  }
}

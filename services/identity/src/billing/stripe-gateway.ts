import { Inject, Injectable } from '@nestjs/common';
import { DomainError, SERVICE_CONFIG } from '@onecommons/service-kit';
import Stripe from 'stripe';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { startOfNextPeriod, startOfPeriodContaining } from './billing-period.js';
import { countRefusedPaymentWebhook } from './payment-event-metrics.js';
import { type RefundReason } from './dto.js';

export interface ProviderSubscription {
  readonly id: string;
  readonly periodStart: number;
  readonly periodEnd: number;
}

const PRODUCT_NAME = 'OneCommons Premium';

/**
 * Identity's calls to Stripe, through the official SDK. Every write carries an idempotency key derived
 * from identity's own ids, so a retried call (ours or the SDK's) never creates a second object.
 */
@Injectable()
export class StripeGateway {
  private readonly client: Stripe | undefined;
  private readonly webhookSecret: string | undefined;
  private readonly prices = new Map<string, Promise<string>>();

  constructor(@Inject(SERVICE_CONFIG) config: IdentityConfig) {
    const { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret } = config;
    if (Boolean(secretKey) !== Boolean(webhookSecret)) {
      throw new Error(
        'STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set together (or both left unset)',
      );
    }
    const base = new URL(config.STRIPE_API_BASE);
    this.webhookSecret = webhookSecret;
    this.client = secretKey
      ? new Stripe(secretKey, {
          host: base.hostname,
          port: base.port || (base.protocol === 'https:' ? 443 : 80),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
          maxNetworkRetries: 2,
          timeout: 20_000,
          telemetry: false,
        })
      : undefined;
  }

  private stripe(): Stripe {
    if (!this.client)
      throw new IdentityError(
        'unavailable',
        'billing_unavailable',
        'Payments are not configured on this platform.',
      );
    return this.client;
  }

  /** The recurring monthly Stripe price for an amount and currency, found by lookup key or created once. */
  priceFor(currency: string, amountMinor: bigint): Promise<string> {
    const lookupKey = `onecommons_premium_monthly_${currency.toLowerCase()}_${amountMinor}`;
    let price = this.prices.get(lookupKey);
    if (!price) {
      price = this.findOrCreatePrice(lookupKey, currency, amountMinor);
      price.catch(() => this.prices.delete(lookupKey));
      this.prices.set(lookupKey, price);
    }
    return price;
  }

  private async findOrCreatePrice(lookupKey: string, currency: string, amountMinor: bigint): Promise<string> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const existing = await stripe.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 });
      if (existing.data[0]) return existing.data[0].id;
      const created = await stripe.prices.create(
        {
          currency: currency.toLowerCase(),
          unit_amount: Number(amountMinor),
          recurring: { interval: 'month' },
          product_data: { name: PRODUCT_NAME },
          lookup_key: lookupKey,
        },
        { idempotencyKey: `price-${lookupKey}` },
      );
      return created.id;
    });
  }

  createCustomer(accountId: string): Promise<string> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const customer = await stripe.customers.create(
        { metadata: { account_id: accountId } },
        { idempotencyKey: `customer-${accountId}` },
      );
      return customer.id;
    });
  }

  /** Attaches the subscriber's payment method (a test token creates a new PaymentMethod); returns its id. */
  attachPaymentMethod(paymentMethod: string, customerId: string): Promise<string> {
    const stripe = this.stripe();
    return withProviderErrors(
      async () => (await stripe.paymentMethods.attach(paymentMethod, { customer: customerId })).id,
    );
  }

  /**
   * A monthly subscription aligned to calendar months: started (backdated) on the first of this month with
   * the cycle anchored on the first of the next, so the first invoice pays for this whole month and every
   * later invoice for exactly one month. `allow_incomplete`: a declined first payment still creates it.
   */
  createSubscription(input: {
    readonly subscriptionId: string;
    readonly accountId: string;
    readonly customerId: string;
    readonly priceId: string;
    readonly paymentMethodId: string;
    readonly now: Date;
  }): Promise<ProviderSubscription> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const created = await stripe.subscriptions.create(
        {
          customer: input.customerId,
          items: [{ price: input.priceId }],
          default_payment_method: input.paymentMethodId,
          backdate_start_date: Math.floor(startOfPeriodContaining(input.now).getTime() / 1_000),
          billing_cycle_anchor: Math.floor(startOfNextPeriod(input.now).getTime() / 1_000),
          proration_behavior: 'create_prorations',
          payment_behavior: 'allow_incomplete',
          metadata: { subscription_id: input.subscriptionId, account_id: input.accountId },
        },
        { idempotencyKey: `subscription-${input.subscriptionId}` },
      );
      return providerSubscriptionOf(created);
    });
  }

  cancelAtPeriodEnd(providerSubscriptionId: string, subscriptionId: string): Promise<ProviderSubscription> {
    const stripe = this.stripe();
    return withProviderErrors(async () =>
      providerSubscriptionOf(
        await stripe.subscriptions.update(
          providerSubscriptionId,
          { cancel_at_period_end: true },
          { idempotencyKey: `cancel-${subscriptionId}` },
        ),
      ),
    );
  }

  /** The invoice a PaymentIntent paid, or null (since API 2025-03-31 the link is an InvoicePayment). */
  invoiceOfPaymentIntent(paymentIntentId: string): Promise<string | null> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const links = await stripe.invoicePayments.list({
        payment: { type: 'payment_intent', payment_intent: paymentIntentId },
        limit: 1,
      });
      const invoice = links.data[0]?.invoice;
      return invoice === undefined ? null : typeof invoice === 'string' ? invoice : (invoice.id ?? null);
    });
  }

  /** The PaymentIntent that paid an invoice, or null. */
  paymentIntentOfInvoice(invoiceId: string): Promise<string | null> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const links = await stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 });
      const intent = links.data.find((link) => link.payment.type === 'payment_intent')?.payment
        .payment_intent;
      return intent === undefined ? null : typeof intent === 'string' ? intent : intent.id;
    });
  }

  /** The subscription an invoice bills: our id (from its metadata) and Stripe's; null for other invoices. */
  invoiceSubscription(invoiceId: string): Promise<{ localId?: string; providerId: string } | null> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      const details = (await stripe.invoices.retrieve(invoiceId)).parent?.subscription_details;
      if (!details) return null;
      const providerId =
        typeof details.subscription === 'string' ? details.subscription : details.subscription.id;
      const localId = details.metadata?.['subscription_id'];
      return localId ? { localId, providerId } : { providerId };
    });
  }

  /** Every refund of a charge (a `charge.refunded` event carries only the cumulative amount since 2022-11-15). */
  refundsOfCharge(chargeId: string): Promise<Stripe.Refund[]> {
    const stripe = this.stripe();
    return withProviderErrors(() =>
      stripe.refunds.list({ charge: chargeId, limit: 100 }).autoPagingToArray({ limit: 10_000 }),
    );
  }

  /**
   * Asks Stripe to refund part of a payment. The money moves for the platform only once Stripe reports the
   * refund by webhook; the idempotency key makes a retried request the same refund.
   */
  createRefund(input: {
    readonly paymentIntentId: string;
    readonly amountMinor: bigint;
    readonly reason: RefundReason;
    readonly metadata: Readonly<Record<string, string>>;
    readonly idempotencyKey: string;
  }): Promise<Stripe.Refund> {
    const stripe = this.stripe();
    return withProviderErrors(async () => {
      try {
        return await stripe.refunds.create(
          {
            payment_intent: input.paymentIntentId,
            amount: Number(input.amountMinor),
            reason: input.reason,
            metadata: { ...input.metadata },
          },
          { idempotencyKey: input.idempotencyKey },
        );
      } catch (error) {
        throw refundRefusal(error) ?? error;
      }
    });
  }

  /** Checks the `Stripe-Signature` of a webhook's raw body with the SDK; a 400 when it does not hold. */
  verifyWebhook(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    const stripe = this.stripe();
    if (!rawBody || !signature) {
      countRefusedPaymentWebhook('unsigned');
      throw IdentityError.invalid('invalid_signature', 'The webhook is not signed.', 'stripe-signature');
    }
    try {
      return stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret!);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        countRefusedPaymentWebhook('invalid_signature');
        throw IdentityError.invalid(
          'invalid_signature',
          'The webhook signature does not verify.',
          'stripe-signature',
        );
      }
      throw error;
    }
  }
}

export function providerSubscriptionOf(subscription: Stripe.Subscription): ProviderSubscription {
  const item = subscription.items.data[0];
  if (!item) throw new Error(`Stripe subscription ${subscription.id} has no items`);
  return { id: subscription.id, periodStart: item.current_period_start, periodEnd: item.current_period_end };
}

/** Stripe refusing a refund for what the payment allows, as the platform's error about the request. */
function refundRefusal(error: unknown): IdentityError | undefined {
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return IdentityError.conflict(
      'idempotency_key_reused',
      'This Idempotency-Key was used for another refund request.',
      'idempotency-key',
    );
  }
  if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) return undefined;
  if (error.code === 'amount_too_large' || error.code === 'charge_already_refunded') {
    return IdentityError.conflict(
      'refund_exceeds_payment',
      'The payment has less than this left to refund.',
      'amountMinor',
    );
  }
  if (error.code === 'charge_disputed') {
    return IdentityError.conflict(
      'payment_disputed',
      'The payment is disputed; a dispute is settled by the bank.',
    );
  }
  return undefined;
}

/** Stripe's failures as the platform's errors: the client's card or input, else the provider is unavailable. */
async function withProviderErrors<Result>(call: () => Promise<Result>): Promise<Result> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof Stripe.errors.StripeCardError) {
      throw new IdentityError('payment_required', 'payment_declined', error.message, {
        field: 'paymentMethod',
      });
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.param?.includes('payment_method')) {
      throw IdentityError.invalid(
        'payment_method_invalid',
        'The payment method cannot be used.',
        'paymentMethod',
      );
    }
    if (error instanceof Stripe.errors.StripeError) {
      throw new IdentityError(
        'upstream_failed',
        'payment_provider_error',
        'The payment provider could not complete the request.',
      );
    }
    throw error;
  }
}

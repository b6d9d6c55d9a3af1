import { Inject, Injectable } from '@nestjs/common';
import { ApiError, SERVICE_CONFIG } from '@onecommons/service-kit';
import Stripe from 'stripe';
import { type IdentityConfig } from '../config.js';
import { startOfNextPeriod, startOfPeriodContaining } from './billing-period.js';

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
      throw new ApiError(503, 'billing_unavailable', 'Payments are not configured on this platform.');
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

  /** Checks the `Stripe-Signature` of a webhook's raw body with the SDK; a 400 when it does not hold. */
  verifyWebhook(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    const stripe = this.stripe();
    if (!rawBody || !signature) {
      throw ApiError.badRequest('invalid_signature', 'The webhook is not signed.', 'stripe-signature');
    }
    try {
      return stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret!);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
        throw ApiError.badRequest(
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

/** Stripe's failures as the platform's errors: the client's card or input, else the provider is unavailable. */
async function withProviderErrors<Result>(call: () => Promise<Result>): Promise<Result> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      throw new ApiError(402, 'payment_declined', error.message, 'paymentMethod');
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError && error.param?.includes('payment_method')) {
      throw ApiError.badRequest(
        'payment_method_invalid',
        'The payment method cannot be used.',
        'paymentMethod',
      );
    }
    if (error instanceof Stripe.errors.StripeError) {
      throw new ApiError(
        502,
        'payment_provider_error',
        'The payment provider could not complete the request.',
      );
    }
    throw error;
  }
}

import { addMonths, dayOfMonth } from './calendar.js';
import { type ChargeEngine } from './charge-engine.js';
import { StripeApiError } from './stripe-error.js';
import {
  type CustomerObject,
  type InvoiceObject,
  listOf,
  type PaymentMethodObject,
  type PriceObject,
  type ProductObject,
  stripeId,
  type SubscriptionObject,
} from './stripe-objects.js';
import { DECLINE_MESSAGES, TEST_CARDS } from './test-cards.js';

/**
 * Records an event. `connectedAccount` marks an event that happened on a connected account (Connect's `account`
 * field): it goes to Connect webhook endpoints, the others to the platform's own.
 */
export type EmitEvent = (
  type: string,
  object: unknown,
  previousAttributes?: Record<string, unknown>,
  connectedAccount?: string,
) => void;

export interface NewSubscription {
  readonly customer: string;
  readonly price: string;
  readonly quantity: number;
  readonly defaultPaymentMethod?: string;
  readonly backdateStartDate?: number;
  readonly billingCycleAnchor?: number;
  readonly prorate: boolean;
  readonly paymentBehavior: 'allow_incomplete' | 'error_if_incomplete';
  readonly cancelAtPeriodEnd: boolean;
  readonly metadata: Record<string, string>;
}

/**
 * Stripe Billing's state machine for monthly subscriptions charged automatically: one invoice per period,
 * paid at once with the default payment method; a failed first payment leaves the subscription
 * `incomplete`, a failed renewal makes it `past_due`; `cancel_at_period_end` ends it at the period's end.
 */
export class BillingEngine {
  readonly customers = new Map<string, CustomerObject>();
  readonly paymentMethods = new Map<string, PaymentMethodObject>();
  readonly products = new Map<string, ProductObject>();
  readonly prices = new Map<string, PriceObject>();
  readonly subscriptions = new Map<string, SubscriptionObject>();
  readonly invoices = new Map<string, InvoiceObject>();
  /** Why a PaymentMethod declines charges, when it does (Stripe's test tokens decide). */
  private readonly declines = new Map<string, string>();
  private invoiceNumber = 0;

  constructor(
    private readonly nowSeconds: () => number,
    private readonly emit: EmitEvent,
    /** Where a paid invoice's PaymentIntent and Charge live (and later its refunds and disputes). */
    private readonly payments: ChargeEngine,
  ) {}

  customer(id: string, param?: string): CustomerObject {
    const customer = this.customers.get(id);
    if (!customer) throw StripeApiError.missing('customer', id, param);
    return customer;
  }

  subscription(id: string): SubscriptionObject {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw StripeApiError.missing('subscription', id);
    return subscription;
  }

  invoice(id: string): InvoiceObject {
    const invoice = this.invoices.get(id);
    if (!invoice) throw StripeApiError.missing('invoice', id);
    return invoice;
  }

  price(id: string, param?: string): PriceObject {
    const price = this.prices.get(id);
    if (!price) throw StripeApiError.missing('price', id, param);
    return price;
  }

  paymentMethod(id: string, param?: string): PaymentMethodObject {
    const method = this.paymentMethods.get(id);
    if (!method) throw StripeApiError.missing('PaymentMethod', id, param);
    return method;
  }

  createCustomer(
    fields: Pick<CustomerObject, 'email' | 'name' | 'description' | 'metadata'>,
  ): CustomerObject {
    const customer: CustomerObject = {
      id: stripeId('cus'),
      object: 'customer',
      created: this.nowSeconds(),
      ...fields,
      invoice_settings: { default_payment_method: null },
      test_clock: null,
      livemode: false,
    };
    this.customers.set(customer.id, customer);
    this.emit('customer.created', customer);
    return customer;
  }

  /** Attaching a test token makes a new PaymentMethod for the customer, as Stripe does in test mode. */
  attachPaymentMethod(token: string, customerId: string, param = 'payment_method'): PaymentMethodObject {
    const customer = this.customer(customerId, 'customer');
    const existing = this.paymentMethods.get(token);
    if (existing) {
      if (existing.customer !== null && existing.customer !== customer.id) {
        throw StripeApiError.invalid(
          param,
          'The payment method you provided has already been attached to a customer.',
        );
      }
      existing.customer = customer.id;
      return existing;
    }
    const card = TEST_CARDS[token];
    if (!card) throw StripeApiError.missing('PaymentMethod', token, param);
    const method: PaymentMethodObject = {
      id: stripeId('pm'),
      object: 'payment_method',
      type: 'card',
      created: this.nowSeconds(),
      customer: customer.id,
      card: {
        brand: card.brand,
        last4: card.last4,
        exp_month: 12,
        exp_year: 2034,
        funding: 'credit',
        country: 'US',
      },
      metadata: {},
      livemode: false,
    };
    this.paymentMethods.set(method.id, method);
    if (card.declineCode) this.declines.set(method.id, card.declineCode);
    this.emit('payment_method.attached', method);
    return method;
  }

  setDefaultPaymentMethod(customer: CustomerObject, paymentMethodId: string, param: string): void {
    if (this.paymentMethod(paymentMethodId, param).customer !== customer.id) {
      throw StripeApiError.invalid(
        param,
        `The payment method ${paymentMethodId} is not attached to ${customer.id}.`,
      );
    }
    customer.invoice_settings.default_payment_method = paymentMethodId;
  }

  createPrice(
    fields: Omit<
      PriceObject,
      'id' | 'object' | 'created' | 'livemode' | 'billing_scheme' | 'unit_amount_decimal' | 'type'
    >,
  ): PriceObject {
    if (fields.lookup_key !== null) {
      const taken = [...this.prices.values()].find((price) => price.lookup_key === fields.lookup_key);
      if (taken) {
        throw StripeApiError.invalid(
          'lookup_key',
          `A price (\`${taken.id}\`) already uses that lookup key.`,
          'lookup_key_already_exists',
        );
      }
    }
    const price: PriceObject = {
      id: stripeId('price'),
      object: 'price',
      created: this.nowSeconds(),
      billing_scheme: 'per_unit',
      type: fields.recurring ? 'recurring' : 'one_time',
      unit_amount_decimal: String(fields.unit_amount),
      livemode: false,
      ...fields,
    };
    this.prices.set(price.id, price);
    this.emit('price.created', price);
    return price;
  }

  createProduct(name: string): ProductObject {
    const product: ProductObject = {
      id: stripeId('prod'),
      object: 'product',
      name,
      active: true,
      created: this.nowSeconds(),
      metadata: {},
      livemode: false,
    };
    this.products.set(product.id, product);
    this.emit('product.created', product);
    return product;
  }

  createSubscription(input: NewSubscription): SubscriptionObject {
    const now = this.nowSeconds();
    const customer = this.customer(input.customer, 'customer');
    const price = this.price(input.price, 'items[0][price]');
    if (!price.recurring) {
      throw StripeApiError.invalid(
        'items[0][price]',
        `The price specified is set to \`type=one_time\` but this field only accepts prices with \`type=recurring\`.`,
      );
    }
    const paymentMethod = input.defaultPaymentMethod ?? customer.invoice_settings.default_payment_method;
    if (!paymentMethod) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'This customer has no attached payment source or default payment method.',
        'resource_missing',
      );
    }
    if (input.defaultPaymentMethod)
      this.assertAttached(input.defaultPaymentMethod, customer, 'default_payment_method');
    const start = input.backdateStartDate ?? now;
    if (start > now)
      throw StripeApiError.invalid('backdate_start_date', 'backdate_start_date must be in the past.');
    if (input.billingCycleAnchor !== undefined && input.billingCycleAnchor <= now) {
      throw StripeApiError.invalid('billing_cycle_anchor', 'billing_cycle_anchor must be in the future.');
    }
    const anchor = input.billingCycleAnchor ?? start;
    const periodEnd =
      input.billingCycleAnchor ?? addMonths(start, price.recurring.interval_count, dayOfMonth(anchor));
    const fullPeriodStart = addMonths(periodEnd, -price.recurring.interval_count, dayOfMonth(anchor));
    const fullAmount = price.unit_amount * input.quantity;
    const amount = input.prorate
      ? prorated(fullAmount, periodEnd - start, periodEnd - fullPeriodStart)
      : fullAmount;

    const id = stripeId('sub');
    const subscription: SubscriptionObject = {
      id,
      object: 'subscription',
      billing_cycle_anchor: anchor,
      cancel_at: null,
      cancel_at_period_end: input.cancelAtPeriodEnd,
      canceled_at: null,
      collection_method: 'charge_automatically',
      created: now,
      currency: price.currency,
      customer: customer.id,
      default_payment_method: input.defaultPaymentMethod ?? null,
      ended_at: null,
      items: listOf(
        [
          {
            id: stripeId('si'),
            object: 'subscription_item',
            created: now,
            current_period_start: start,
            current_period_end: periodEnd,
            price,
            quantity: input.quantity,
            subscription: id,
            metadata: {},
          },
        ],
        `/v1/subscription_items?subscription=${id}`,
      ),
      latest_invoice: null,
      metadata: input.metadata,
      start_date: start,
      status: 'incomplete',
      test_clock: null,
      livemode: false,
    };
    if (input.cancelAtPeriodEnd) subscription.cancel_at = periodEnd;
    const invoice = this.draftInvoice(subscription, 'subscription_create', amount, start, periodEnd);
    const declined = this.declineCodeFor(subscription);
    if (declined && input.paymentBehavior === 'error_if_incomplete') {
      throw new StripeApiError(
        402,
        'card_error',
        DECLINE_MESSAGES[declined] ?? 'Your card was declined.',
        'card_declined',
        undefined,
        declined,
      );
    }
    this.subscriptions.set(id, subscription);
    this.invoices.set(invoice.id, invoice);
    subscription.latest_invoice = invoice.id;
    this.emit('customer.subscription.created', subscription);
    this.finaliseAndCharge(subscription, invoice);
    return subscription;
  }

  updateSubscription(
    subscription: SubscriptionObject,
    changes: {
      cancelAtPeriodEnd?: boolean;
      metadata?: Record<string, string>;
      defaultPaymentMethod?: string;
    },
  ): SubscriptionObject {
    if (subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
      throw StripeApiError.invalid('subscription', 'A canceled subscription can only update its metadata.');
    }
    const previous: Record<string, unknown> = {};
    if (
      changes.cancelAtPeriodEnd !== undefined &&
      changes.cancelAtPeriodEnd !== subscription.cancel_at_period_end
    ) {
      previous['cancel_at_period_end'] = subscription.cancel_at_period_end;
      previous['cancel_at'] = subscription.cancel_at;
      previous['canceled_at'] = subscription.canceled_at;
      subscription.cancel_at_period_end = changes.cancelAtPeriodEnd;
      subscription.cancel_at = changes.cancelAtPeriodEnd ? currentPeriodEnd(subscription) : null;
      subscription.canceled_at = changes.cancelAtPeriodEnd ? this.nowSeconds() : null;
    }
    if (changes.metadata) {
      previous['metadata'] = { ...subscription.metadata };
      subscription.metadata = withoutEmpty({ ...subscription.metadata, ...changes.metadata });
    }
    if (changes.defaultPaymentMethod !== undefined) {
      this.assertAttached(
        changes.defaultPaymentMethod,
        this.customer(subscription.customer),
        'default_payment_method',
      );
      previous['default_payment_method'] = subscription.default_payment_method;
      subscription.default_payment_method = changes.defaultPaymentMethod;
    }
    if (Object.keys(previous).length > 0) this.emit('customer.subscription.updated', subscription, previous);
    return subscription;
  }

  /** `DELETE /v1/subscriptions/:id`: ends it now; open invoices stay open. */
  cancelNow(subscription: SubscriptionObject): SubscriptionObject {
    if (subscription.status === 'canceled') {
      throw StripeApiError.invalid(
        'subscription',
        `No such subscription: '${subscription.id}'`,
        'resource_missing',
      );
    }
    this.end(subscription, this.nowSeconds());
    return subscription;
  }

  /**
   * Moves a subscription to the end of its current period, as the clock reaching it would: it ends there
   * when cancelled at period end; an incomplete one expires; otherwise the next period is invoiced and charged.
   */
  advancePeriod(subscription: SubscriptionObject): SubscriptionObject {
    const item = subscription.items.data[0];
    if (!item || subscription.status === 'canceled' || subscription.status === 'incomplete_expired') {
      throw StripeApiError.invalid('subscription', `Subscription ${subscription.id} has ended.`);
    }
    const end = item.current_period_end;
    if (subscription.cancel_at_period_end) {
      this.end(subscription, end);
      return subscription;
    }
    if (subscription.status === 'incomplete') {
      subscription.status = 'incomplete_expired';
      subscription.ended_at = end;
      this.emit('customer.subscription.updated', subscription, { status: 'incomplete' });
      return subscription;
    }
    const interval = item.price.recurring?.interval_count ?? 1;
    const nextEnd = addMonths(end, interval, dayOfMonth(subscription.billing_cycle_anchor));
    const previous = {
      items: structuredClone(subscription.items),
      latest_invoice: subscription.latest_invoice,
    };
    item.current_period_start = end;
    item.current_period_end = nextEnd;
    const invoice = this.draftInvoice(
      subscription,
      'subscription_cycle',
      item.price.unit_amount * item.quantity,
      end,
      nextEnd,
    );
    this.invoices.set(invoice.id, invoice);
    subscription.latest_invoice = invoice.id;
    this.emit('customer.subscription.updated', subscription, previous);
    this.finaliseAndCharge(subscription, invoice);
    return subscription;
  }

  /** Every subscription whose period ended by `now` moves on (the real-time clock of `./dev up`). */
  advanceDue(now: number): number {
    let advanced = 0;
    for (const subscription of this.subscriptions.values()) {
      const end = subscription.items.data[0]?.current_period_end ?? Infinity;
      const live = subscription.status !== 'canceled' && subscription.status !== 'incomplete_expired';
      if (live && end <= now) {
        this.advancePeriod(subscription);
        advanced++;
      }
    }
    return advanced;
  }

  /** `POST /v1/invoices/:id/pay`: another attempt, optionally with another payment method. */
  payInvoice(invoice: InvoiceObject, paymentMethod?: string): InvoiceObject {
    if (invoice.status === 'paid')
      throw StripeApiError.invalid('invoice', 'Invoice is already paid', 'invoice_already_paid');
    if (invoice.status !== 'open')
      throw StripeApiError.invalid('invoice', `Invoice is ${invoice.status}`, 'invoice_not_open');
    const subscription = this.subscription(invoice.parent.subscription_details.subscription);
    if (paymentMethod) this.assertAttached(paymentMethod, this.customer(invoice.customer), 'payment_method');
    const declined = this.charge(subscription, invoice, paymentMethod);
    if (declined) {
      throw new StripeApiError(
        402,
        'card_error',
        DECLINE_MESSAGES[declined] ?? 'Your card was declined.',
        'card_declined',
        undefined,
        declined,
      );
    }
    return invoice;
  }

  private assertAttached(paymentMethodId: string, customer: CustomerObject, param: string): void {
    if (this.paymentMethod(paymentMethodId, param).customer !== customer.id) {
      throw StripeApiError.invalid(
        param,
        `The customer does not have a payment method with the ID ${paymentMethodId}.`,
      );
    }
  }

  private draftInvoice(
    subscription: SubscriptionObject,
    reason: InvoiceObject['billing_reason'],
    amount: number,
    start: number,
    end: number,
  ): InvoiceObject {
    const item = subscription.items.data[0]!;
    this.invoiceNumber++;
    return {
      id: stripeId('in'),
      object: 'invoice',
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      attempt_count: 0,
      attempted: false,
      billing_reason: reason,
      collection_method: 'charge_automatically',
      created: this.nowSeconds(),
      currency: subscription.currency,
      customer: subscription.customer,
      default_payment_method: null,
      lines: listOf(
        [
          {
            id: stripeId('il'),
            object: 'line_item',
            amount,
            currency: subscription.currency,
            description: `${item.quantity} × ${item.price.nickname ?? item.price.product}`,
            period: { start, end },
            pricing: {
              type: 'price_details',
              price_details: { price: item.price.id, product: item.price.product },
            },
            quantity: item.quantity,
          },
        ],
        '/v1/invoices/lines',
      ),
      metadata: {},
      number: `FAKE-${String(this.invoiceNumber).padStart(6, '0')}`,
      parent: {
        type: 'subscription_details',
        quote_details: null,
        subscription_details: { subscription: subscription.id, metadata: { ...subscription.metadata } },
      },
      // As in Stripe, an invoice's own period is the one before its line's service period.
      period_start:
        reason === 'subscription_create'
          ? start
          : addMonths(start, -1, dayOfMonth(subscription.billing_cycle_anchor)),
      period_end: start,
      status: 'draft',
      status_transitions: { finalized_at: null, paid_at: null },
      subtotal: amount,
      total: amount,
      livemode: false,
    };
  }

  private finaliseAndCharge(subscription: SubscriptionObject, invoice: InvoiceObject): void {
    this.emit('invoice.created', invoice);
    invoice.status = 'open';
    invoice.status_transitions.finalized_at = this.nowSeconds();
    this.emit('invoice.finalized', invoice);
    this.charge(subscription, invoice);
  }

  /** Charges an open invoice; returns the decline code when the card declines. */
  private charge(
    subscription: SubscriptionObject,
    invoice: InvoiceObject,
    paymentMethod?: string,
  ): string | undefined {
    const method =
      paymentMethod ??
      subscription.default_payment_method ??
      this.customer(subscription.customer).invoice_settings.default_payment_method;
    invoice.attempt_count++;
    invoice.attempted = true;
    invoice.default_payment_method = method;
    const declined = method ? this.declines.get(method) : 'generic_decline';
    const previousStatus = subscription.status;
    if (declined) {
      this.emit('invoice.payment_failed', invoice);
      if (invoice.billing_reason === 'subscription_cycle' && subscription.status === 'active')
        subscription.status = 'past_due';
    } else {
      this.payments.payInvoice(invoice, this.paymentMethod(method!));
      invoice.status = 'paid';
      invoice.amount_paid = invoice.amount_due;
      invoice.amount_remaining = 0;
      invoice.status_transitions.paid_at = this.nowSeconds();
      this.emit('invoice.paid', invoice);
      this.emit('invoice.payment_succeeded', invoice);
      const stillOpen = [...this.invoices.values()].some(
        (other) =>
          other.parent.subscription_details.subscription === subscription.id && other.status === 'open',
      );
      if (!stillOpen) subscription.status = 'active';
    }
    if (subscription.status !== previousStatus) {
      this.emit('customer.subscription.updated', subscription, { status: previousStatus });
    }
    return declined;
  }

  private declineCodeFor(subscription: SubscriptionObject): string | undefined {
    const method =
      subscription.default_payment_method ??
      this.customer(subscription.customer).invoice_settings.default_payment_method;
    return method ? this.declines.get(method) : undefined;
  }

  private end(subscription: SubscriptionObject, at: number): void {
    subscription.status = 'canceled';
    subscription.ended_at = at;
    subscription.canceled_at ??= this.nowSeconds();
    this.emit('customer.subscription.deleted', subscription);
  }
}

function currentPeriodEnd(subscription: SubscriptionObject): number | null {
  return subscription.items.data[0]?.current_period_end ?? null;
}

function withoutEmpty(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== ''));
}

/** Stripe's proration of a partial period, in whole minor units (half up), never more than the full amount. */
export function prorated(fullAmount: number, usedSeconds: number, periodSeconds: number): number {
  if (usedSeconds >= periodSeconds) return fullAmount;
  const numerator = BigInt(fullAmount) * BigInt(usedSeconds) * 2n + BigInt(periodSeconds);
  return Number(numerator / (2n * BigInt(periodSeconds)));
}

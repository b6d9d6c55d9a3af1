import { CONNECT_ROUTES } from './connect-routes.js';
import { PAYMENT_ROUTES } from './payment-routes.js';
import { expandable, type Handler, route, type Route, type RouteContext } from './route-table.js';
import { StripeApiError } from './stripe-error.js';
import { listOf, snapshot, type SubscriptionObject } from './stripe-objects.js';

/** The subset of Stripe's v1 API the platform uses, with Stripe's parameters and object shapes. */
const BILLING_ROUTES: readonly Route[] = [
  route('POST', '/v1/customers', (params, _ids, { engine }) => {
    const paymentMethod = params.string('payment_method');
    const settings = params.object('invoice_settings');
    const defaultMethod = settings?.string('default_payment_method');
    settings?.done();
    const fields = {
      email: params.string('email') ?? null,
      name: params.string('name') ?? null,
      description: params.string('description') ?? null,
      metadata: params.metadata() ?? {},
    };
    expandable(params, []);
    params.done();
    const customer = engine.createCustomer(fields);
    if (paymentMethod) {
      const attached = engine.attachPaymentMethod(paymentMethod, customer.id);
      // A token given here and as the default refers to the PaymentMethod this request created from it.
      if (defaultMethod === paymentMethod)
        engine.setDefaultPaymentMethod(customer, attached.id, 'invoice_settings[default_payment_method]');
    }
    if (defaultMethod && defaultMethod !== paymentMethod) {
      engine.setDefaultPaymentMethod(customer, defaultMethod, 'invoice_settings[default_payment_method]');
    }
    return customer;
  }),
  route('GET', '/v1/customers/:id', (params, [id], { engine }) => {
    expandable(params, []);
    params.done();
    return engine.customer(id!);
  }),
  route('POST', '/v1/customers/:id', (params, [id], { engine }) => {
    const customer = engine.customer(id!);
    const settings = params.object('invoice_settings');
    const defaultMethod = settings?.string('default_payment_method');
    settings?.done();
    const metadata = params.metadata();
    params.done();
    if (defaultMethod)
      engine.setDefaultPaymentMethod(customer, defaultMethod, 'invoice_settings[default_payment_method]');
    if (metadata) customer.metadata = { ...customer.metadata, ...metadata };
    return customer;
  }),
  route('POST', '/v1/payment_methods/:id/attach', (params, [id], { engine }) => {
    const customer = params.requiredString('customer');
    params.done();
    return engine.attachPaymentMethod(id!, customer, 'payment_method');
  }),
  route('GET', '/v1/payment_methods/:id', (params, [id], { engine }) => {
    params.done();
    return engine.paymentMethod(id!);
  }),
  route('POST', '/v1/prices', (params, _ids, { engine }) => {
    const currency = params.requiredString('currency').toLowerCase();
    if (!/^[a-z]{3}$/.test(currency))
      throw StripeApiError.invalid('currency', `Invalid currency: ${currency}`);
    const unitAmount = params.integer('unit_amount');
    if (unitAmount === undefined || unitAmount < 0) {
      throw StripeApiError.invalid(
        'unit_amount',
        'Missing required param: unit_amount.',
        'parameter_missing',
      );
    }
    const recurringParams = params.object('recurring');
    const interval = recurringParams?.oneOf('interval', ['month'] as const);
    const intervalCount = recurringParams?.integer('interval_count') ?? 1;
    recurringParams?.done();
    if (recurringParams && !interval) {
      throw StripeApiError.invalid(
        'recurring[interval]',
        'Missing required param: recurring[interval].',
        'parameter_missing',
      );
    }
    const productId = params.string('product');
    const productData = params.object('product_data');
    const productName = productData?.requiredString('name');
    productData?.done();
    const lookupKey = params.string('lookup_key') ?? null;
    const nickname = params.string('nickname') ?? null;
    const metadata = params.metadata() ?? {};
    params.done();
    if (Boolean(productId) === Boolean(productName)) {
      throw StripeApiError.invalid(
        'product',
        'You must specify either `product` or `product_data` when creating a price.',
      );
    }
    const product = productId ?? engine.createProduct(productName!).id;
    if (!engine.products.has(product)) throw StripeApiError.missing('product', product, 'product');
    return engine.createPrice({
      active: true,
      currency,
      lookup_key: lookupKey,
      metadata,
      nickname,
      product,
      recurring: interval ? { interval, interval_count: intervalCount, usage_type: 'licensed' } : null,
      unit_amount: unitAmount,
    });
  }),
  route('GET', '/v1/prices', (params, _ids, { engine }) => {
    const lookupKeys = params.stringList('lookup_keys');
    const active = params.boolean('active');
    const limit = params.integer('limit') ?? 10;
    expandable(params, []);
    params.done();
    const prices = [...engine.prices.values()]
      .filter(
        (price) =>
          lookupKeys.length === 0 || (price.lookup_key !== null && lookupKeys.includes(price.lookup_key)),
      )
      .filter((price) => active === undefined || price.active === active)
      .reverse()
      .slice(0, limit);
    return listOf(prices, '/v1/prices');
  }),
  route('GET', '/v1/prices/:id', (params, [id], { engine }) => {
    params.done();
    return engine.price(id!);
  }),
  route('POST', '/v1/subscriptions', (params, _ids, context) => {
    const customer = params.requiredString('customer');
    const items = params.list('items');
    if (items.length !== 1)
      throw StripeApiError.invalid('items', 'The fake supports exactly one subscription item.');
    const item = items[0]!;
    const price = item.requiredString('price');
    const quantity = item.integer('quantity') ?? 1;
    item.done();
    const proration = params.oneOf('proration_behavior', [
      'create_prorations',
      'none',
      'always_invoice',
    ] as const);
    const behavior = params.oneOf('payment_behavior', ['allow_incomplete', 'error_if_incomplete'] as const);
    const input = {
      customer,
      price,
      quantity,
      defaultPaymentMethod: params.string('default_payment_method'),
      backdateStartDate: params.integer('backdate_start_date'),
      billingCycleAnchor: params.integer('billing_cycle_anchor'),
      prorate: proration !== 'none',
      paymentBehavior: behavior ?? 'allow_incomplete',
      cancelAtPeriodEnd: params.boolean('cancel_at_period_end') ?? false,
      metadata: params.metadata() ?? {},
    } as const;
    params.string('currency'); // the price's currency decides; accepted for compatibility
    params.string('collection_method'); // only charge_automatically is modelled
    const expand = expandable(params, ['latest_invoice']);
    params.done();
    return expanded(context.engine.createSubscription(input), expand, context);
  }),
  route('GET', '/v1/subscriptions/:id', (params, [id], context) => {
    const expand = expandable(params, ['latest_invoice']);
    params.done();
    return expanded(context.engine.subscription(id!), expand, context);
  }),
  route('POST', '/v1/subscriptions/:id', (params, [id], context) => {
    const subscription = context.engine.subscription(id!);
    const changes = {
      cancelAtPeriodEnd: params.boolean('cancel_at_period_end'),
      metadata: params.metadata(),
      defaultPaymentMethod: params.string('default_payment_method'),
    };
    const expand = expandable(params, ['latest_invoice']);
    params.done();
    return expanded(context.engine.updateSubscription(subscription, changes), expand, context);
  }),
  route('DELETE', '/v1/subscriptions/:id', (params, [id], { engine }) => {
    params.boolean('invoice_now');
    params.boolean('prorate');
    params.done();
    return engine.cancelNow(engine.subscription(id!));
  }),
  route('GET', '/v1/invoices/:id', (params, [id], { engine }) => {
    params.done();
    return engine.invoice(id!);
  }),
  route('POST', '/v1/invoices/:id/pay', (params, [id], { engine }) => {
    const paymentMethod = params.string('payment_method');
    params.done();
    return engine.payInvoice(engine.invoice(id!), paymentMethod);
  }),
  route('GET', '/v1/events/:id', (params, [id], { events }) => {
    params.done();
    const event = events().find((candidate) => candidate.id === id);
    if (!event) throw StripeApiError.missing('event', id!);
    return event;
  }),
  route('GET', '/v1/events', (params, _ids, { events }) => {
    const type = params.string('type');
    const limit = params.integer('limit') ?? 10;
    params.done();
    const matching = events().filter((event) => type === undefined || event.type === type);
    return listOf([...matching].reverse().slice(0, limit), '/v1/events');
  }),
];

export function findRoute(method: string, path: string): { handler: Handler; ids: string[] } | undefined {
  for (const candidate of [...BILLING_ROUTES, ...PAYMENT_ROUTES, ...CONNECT_ROUTES]) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { handler: candidate.handler, ids: match.slice(1) };
  }
  return undefined;
}

function expanded(
  subscription: SubscriptionObject,
  expand: readonly string[],
  { engine }: RouteContext,
): unknown {
  const copy: Record<string, unknown> = snapshot(subscription) as unknown as Record<string, unknown>;
  if (expand.includes('latest_invoice') && subscription.latest_invoice) {
    copy['latest_invoice'] = snapshot(engine.invoice(subscription.latest_invoice));
  }
  return copy;
}

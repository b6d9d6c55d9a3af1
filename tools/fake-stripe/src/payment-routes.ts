import { pageOf } from './list-page.js';
import { expandable, route, type Route } from './route-table.js';
import { snapshot } from './stripe-objects.js';

/** The payments behind paid invoices, their refunds and disputes, as Stripe's v1 API serves them. */
export const PAYMENT_ROUTES: readonly Route[] = [
  route('GET', '/v1/payment_intents/:id', (params, [id], { payments }) => {
    expandable(params, []);
    params.done();
    return payments.paymentIntent(id!);
  }),
  route('GET', '/v1/charges/:id', (params, [id], { payments }) => {
    const expand = expandable(params, ['refunds']);
    params.done();
    const charge = payments.charge(id!);
    // Since 2022-11-15 a charge's refunds are only there when asked for.
    return expand.includes('refunds')
      ? { ...snapshot(charge), refunds: payments.refundsPage({ charge: charge.id }, { limit: 100 }) }
      : charge;
  }),
  route('GET', '/v1/invoice_payments', (params, _ids, { payments }) => {
    const invoice = params.string('invoice');
    const payment = params.object('payment');
    payment?.oneOf('type', ['payment_intent'] as const);
    const paymentIntent = payment?.string('payment_intent');
    payment?.done();
    params.oneOf('status', ['paid'] as const);
    const page = pageOf(params);
    expandable(params, []);
    params.done();
    return payments.invoicePaymentsPage({ invoice, paymentIntent }, page);
  }),
  route('POST', '/v1/refunds', (params, _ids, { payments }) => {
    const input = {
      charge: params.string('charge'),
      paymentIntent: params.string('payment_intent'),
      amount: params.integer('amount'),
      reason: params.oneOf('reason', ['duplicate', 'fraudulent', 'requested_by_customer'] as const),
      metadata: params.metadata() ?? {},
    };
    expandable(params, []);
    params.done();
    return payments.createRefund(input);
  }),
  route('GET', '/v1/refunds/:id', (params, [id], { payments }) => {
    expandable(params, []);
    params.done();
    return payments.refund(id!);
  }),
  route('GET', '/v1/refunds', (params, _ids, { payments }) => {
    const filter = { charge: params.string('charge'), paymentIntent: params.string('payment_intent') };
    const page = pageOf(params);
    expandable(params, []);
    params.done();
    return payments.refundsPage(filter, page);
  }),
  route('GET', '/v1/disputes/:id', (params, [id], { payments }) => {
    expandable(params, []);
    params.done();
    return payments.dispute(id!);
  }),
  route('GET', '/v1/disputes', (params, _ids, { payments }) => {
    const filter = { charge: params.string('charge'), paymentIntent: params.string('payment_intent') };
    const page = pageOf(params);
    expandable(params, []);
    params.done();
    return payments.disputesPage(filter, page);
  }),
];

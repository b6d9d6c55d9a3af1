import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { DISPUTE_FEE } from './charge-engine.js';
import { startFakeStripe, type FakeStripe } from './fake-stripe-server.js';

const secretKey = 'sk_test_fake_stripe_refunds';
const webhookSecret = 'whsec_fake_stripe_refunds';
let fake: FakeStripe;
let stripe: Stripe;
let receiver: Server;
const received: Stripe.Event[] = [];

beforeAll(async () => {
  const verifier = new Stripe(secretKey);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // Only what verifies counts as received: every event below must be signed like Stripe's.
      received.push(
        verifier.webhooks.constructEvent(
          Buffer.concat(chunks),
          String(request.headers['stripe-signature']),
          webhookSecret,
        ),
      );
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  fake = await startFakeStripe({
    secretKey,
    webhookEndpoints: [{ url: `http://127.0.0.1:${port}/hook`, secret: webhookSecret }],
  });
  const { hostname, port: fakePort } = new URL(fake.url);
  stripe = new Stripe(secretKey, { host: hostname, port: fakePort, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** A subscription's first invoice, paid by card: returns the invoice and the PaymentIntent that paid it. */
async function paidInvoice(amount: number): Promise<{ invoice: string; intent: Stripe.PaymentIntent }> {
  const price = await stripe.prices.create({
    currency: 'eur',
    unit_amount: amount,
    recurring: { interval: 'month' },
    product_data: { name: 'Premium' },
  });
  const customer = await stripe.customers.create({});
  const method = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  const subscription = await stripe.subscriptions.create({
    customer: customer.id,
    items: [{ price: price.id }],
    default_payment_method: method.id,
  });
  const invoice = subscription.latest_invoice as string;
  const links = await stripe.invoicePayments.list({ invoice, status: 'paid' });
  expect(links.data).toHaveLength(1);
  const intentId = links.data[0]!.payment.payment_intent as string;
  return { invoice, intent: await stripe.paymentIntents.retrieve(intentId) };
}

const eventsOf = (type: string, objectId: (object: Record<string, unknown>) => unknown, id: string) =>
  received.filter(
    (event) =>
      event.type === type && objectId(event.data.object as unknown as Record<string, unknown>) === id,
  );

async function control(
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('a paid invoice’s payment', () => {
  it('is a succeeded PaymentIntent and Charge, found from the invoice and back', async () => {
    const { invoice, intent } = await paidInvoice(500);
    expect(intent).toMatchObject({ status: 'succeeded', amount: 500, amount_received: 500, currency: 'eur' });
    const charge = await stripe.charges.retrieve(intent.latest_charge as string);
    expect(charge).toMatchObject({
      paid: true,
      amount: 500,
      amount_refunded: 0,
      refunded: false,
      disputed: false,
    });
    const back = await stripe.invoicePayments.list({
      payment: { type: 'payment_intent', payment_intent: intent.id },
    });
    expect(back.data.map((link) => link.invoice)).toEqual([invoice]);
  });
});

describe('refunds', () => {
  it('refund partially then the rest, cumulating amount_refunded, and refuse more than is left', async () => {
    const { intent } = await paidInvoice(1_000);
    const chargeId = intent.latest_charge as string;
    const first = await stripe.refunds.create(
      {
        payment_intent: intent.id,
        amount: 300,
        reason: 'requested_by_customer',
        metadata: { payment_id: 'p-1' },
      },
      { idempotencyKey: 'refund-p-1-a' },
    );
    expect(first).toMatchObject({
      object: 'refund',
      amount: 300,
      charge: chargeId,
      payment_intent: intent.id,
      reason: 'requested_by_customer',
      status: 'succeeded',
      metadata: { payment_id: 'p-1' },
    });
    // The same key replays the same refund; with other parameters it is refused.
    const replayed = await stripe.refunds.create(
      {
        payment_intent: intent.id,
        amount: 300,
        reason: 'requested_by_customer',
        metadata: { payment_id: 'p-1' },
      },
      { idempotencyKey: 'refund-p-1-a' },
    );
    expect(replayed.id).toBe(first.id);
    await expect(
      stripe.refunds.create({ payment_intent: intent.id, amount: 301 }, { idempotencyKey: 'refund-p-1-a' }),
    ).rejects.toMatchObject({ type: 'StripeIdempotencyError' });

    await expect(stripe.refunds.create({ charge: chargeId, amount: 701 })).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'amount_too_large',
      param: 'amount',
    });
    const rest = await stripe.refunds.create({ charge: chargeId });
    expect(rest.amount).toBe(700);
    await expect(stripe.refunds.create({ charge: chargeId, amount: 1 })).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
    await expect(stripe.refunds.create({ amount: 1 })).rejects.toMatchObject({ code: 'parameter_missing' });

    await fake.webhooksIdle();
    const refunded = eventsOf('charge.refunded', (object) => object['id'], chargeId);
    expect(refunded.map((event) => (event.data.object as Stripe.Charge).amount_refunded)).toEqual([
      300, 1_000,
    ]);
    expect(refunded.map((event) => (event.data.object as Stripe.Charge).refunded)).toEqual([false, true]);
    expect(refunded.every((event) => (event.data.object as Stripe.Charge).refunds === undefined)).toBe(true);
    expect(refunded[1]?.data.previous_attributes).toEqual({ amount_refunded: 300, refunded: false });
    const created = eventsOf('refund.created', (object) => object['charge'], chargeId);
    expect(created.map((event) => (event.data.object as Stripe.Refund).amount)).toEqual([300, 700]);

    const listed = await stripe.refunds.list({ charge: chargeId });
    expect(listed.data.map((refund) => refund.id)).toEqual([rest.id, first.id]);
    const expanded = await stripe.charges.retrieve(chargeId, { expand: ['refunds'] });
    expect(expanded.refunds?.data.map((refund) => refund.amount)).toEqual([700, 300]);
  });
});

describe('disputes (the bank, through the fake’s controls)', () => {
  it('withdraw the funds when opened, refuse refunds meanwhile, and reinstate them when won', async () => {
    const { intent } = await paidInvoice(800);
    const chargeId = intent.latest_charge as string;
    await stripe.refunds.create({ charge: chargeId, amount: 200 });
    expect((await control(`/_fake/charges/${chargeId}/dispute`, { amount: 601 })).body).toMatchObject({
      error: { param: 'amount' },
    });
    const opened = await control(`/_fake/charges/${chargeId}/dispute`, { reason: 'product_not_received' });
    expect(opened.status).toBe(200);
    const disputeId = opened.body['id'] as string;
    const dispute = await stripe.disputes.retrieve(disputeId);
    expect(dispute).toMatchObject({
      amount: 600,
      charge: chargeId,
      payment_intent: intent.id,
      reason: 'product_not_received',
      status: 'needs_response',
    });
    expect(dispute.balance_transactions).toMatchObject([
      {
        amount: -600,
        fee: DISPUTE_FEE,
        net: -600 - DISPUTE_FEE,
        reporting_category: 'dispute',
        source: disputeId,
      },
    ]);
    expect((await stripe.charges.retrieve(chargeId)).disputed).toBe(true);
    await expect(stripe.refunds.create({ charge: chargeId, amount: 1 })).rejects.toMatchObject({
      code: 'charge_disputed',
    });

    const won = await control(`/_fake/disputes/${disputeId}/close`, { outcome: 'won' });
    expect(won.body).toMatchObject({ status: 'won' });
    expect((await control(`/_fake/disputes/${disputeId}/close`, { outcome: 'lost' })).status).toBe(400);
    await fake.webhooksIdle();
    const types = received
      .filter((event) => (event.data.object as { id?: string }).id === disputeId)
      .map((event) => event.type);
    expect(types).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.funds_reinstated',
      'charge.dispute.closed',
    ]);
    const closed = eventsOf('charge.dispute.closed', (object) => object['id'], disputeId)[0]!;
    expect(
      (closed.data.object as Stripe.Dispute).balance_transactions.map((txn) => txn.reporting_category),
    ).toEqual(['dispute', 'dispute_reversal']);
    // Won: the charge is refundable again, up to what is left.
    expect((await stripe.refunds.create({ charge: chargeId })).amount).toBe(600);
  });

  it('keep the funds withdrawn when lost', async () => {
    const { intent } = await paidInvoice(400);
    const dispute = fake.openDispute(intent.latest_charge as string);
    expect(fake.closeDispute(dispute.id, 'lost')).toMatchObject({ status: 'lost', amount: 400 });
    await fake.webhooksIdle();
    const types = received
      .filter((event) => (event.data.object as { id?: string }).id === dispute.id)
      .map((event) => event.type);
    expect(types).toEqual([
      'charge.dispute.created',
      'charge.dispute.funds_withdrawn',
      'charge.dispute.closed',
    ]);
    await expect(stripe.refunds.create({ payment_intent: intent.id })).rejects.toMatchObject({
      code: 'charge_disputed',
    });
  });
});

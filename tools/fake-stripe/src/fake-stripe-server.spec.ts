import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startFakeStripe, type FakeStripe } from './fake-stripe-server.js';

const secretKey = 'sk_test_fake_stripe_spec';
const webhookSecret = 'whsec_fake_stripe_spec';
let fake: FakeStripe;
let stripe: Stripe;
let receiver: Server;
const received: { type: string; id: string; signatureValid: boolean; subscription?: string }[] = [];
let failNext = 0;

beforeAll(async () => {
  const verifier = new Stripe(secretKey);
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failNext > 0) {
        failNext--;
        response.writeHead(503).end();
        return;
      }
      const body = Buffer.concat(chunks);
      let signatureValid = true;
      try {
        verifier.webhooks.constructEvent(body, String(request.headers['stripe-signature']), webhookSecret);
      } catch {
        signatureValid = false;
      }
      const event = JSON.parse(body.toString()) as {
        id: string;
        type: string;
        data: { object: Record<string, unknown> };
      };
      received.push({ id: event.id, type: event.type, signatureValid });
      response.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  fake = await startFakeStripe({
    secretKey,
    webhookEndpoints: [{ url: `http://127.0.0.1:${port}/hook`, secret: webhookSecret }],
    retry: { firstDelayMs: 20, maxDelayMs: 50, maxAttempts: 4 },
  });
  const { hostname, port: fakePort } = new URL(fake.url);
  stripe = new Stripe(secretKey, { host: hostname, port: fakePort, protocol: 'http', maxNetworkRetries: 0 });
});

afterAll(async () => {
  await fake.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

async function monthlyPrice(lookupKey: string, amount = 500): Promise<Stripe.Price> {
  return stripe.prices.create({
    currency: 'eur',
    unit_amount: amount,
    recurring: { interval: 'month' },
    product_data: { name: 'Premium' },
    lookup_key: lookupKey,
  });
}

async function customerWith(card: string): Promise<{ customer: Stripe.Customer; paymentMethod: string }> {
  const customer = await stripe.customers.create({ metadata: { account_id: 'a-1' } });
  const method = await stripe.paymentMethods.attach(card, { customer: customer.id });
  return { customer, paymentMethod: method.id };
}

const startOfMonth = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / 1_000;
const startOfNextMonth = (date: Date) => Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / 1_000;

describe('the fake Stripe API, driven by the official SDK', () => {
  it('refuses a wrong API key with Stripe’s authentication error', async () => {
    const { hostname, port } = new URL(fake.url);
    const wrong = new Stripe('sk_test_wrong_key_here', {
      host: hostname,
      port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await expect(wrong.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('answers an unknown parameter and a missing resource with Stripe-shaped errors', async () => {
    await expect(
      stripe.customers.create({ bogus: 'x' } as Stripe.CustomerCreateParams),
    ).rejects.toMatchObject({
      type: 'StripeInvalidRequestError',
      code: 'parameter_unknown',
      param: 'bogus',
    });
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
  });

  it('replays the first response to an Idempotency-Key and refuses the key with other parameters', async () => {
    const first = await stripe.customers.create({ email: 'a@example.org' }, { idempotencyKey: 'key-1' });
    const again = await stripe.customers.create({ email: 'a@example.org' }, { idempotencyKey: 'key-1' });
    expect(again.id).toBe(first.id);
    await expect(
      stripe.customers.create({ email: 'b@example.org' }, { idempotencyKey: 'key-1' }),
    ).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
      statusCode: 400,
    });
  });

  it('finds prices by lookup key', async () => {
    const price = await monthlyPrice('premium_eur_lookup');
    const found = await stripe.prices.list({ lookup_keys: ['premium_eur_lookup'] });
    expect(found.data.map((candidate) => candidate.id)).toEqual([price.id]);
    await expect(monthlyPrice('premium_eur_lookup')).rejects.toMatchObject({
      code: 'lookup_key_already_exists',
    });
  });

  it('bills a calendar month in full when backdated to its first day, pays it and signs the webhooks', async () => {
    const price = await monthlyPrice('premium_eur_calendar');
    const { customer, paymentMethod } = await customerWith('pm_card_visa');
    const now = new Date();
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: paymentMethod,
      backdate_start_date: startOfMonth(now),
      billing_cycle_anchor: startOfNextMonth(now),
      metadata: { subscription_id: 'local-1' },
      expand: ['latest_invoice'],
    });
    expect(subscription.status).toBe('active');
    const invoice = subscription.latest_invoice as Stripe.Invoice;
    expect(invoice).toMatchObject({
      status: 'paid',
      amount_paid: 500,
      currency: 'eur',
      billing_reason: 'subscription_create',
    });
    expect(invoice.lines.data[0]?.period).toEqual({ start: startOfMonth(now), end: startOfNextMonth(now) });
    expect(invoice.parent?.subscription_details?.metadata).toEqual({ subscription_id: 'local-1' });

    await fake.webhooksIdle();
    const paid = received.filter((event) => event.type === 'invoice.paid');
    expect(paid.length).toBeGreaterThan(0);
    expect(received.every((event) => event.signatureValid)).toBe(true);

    const renewed = fake.advanceSubscription(subscription.id);
    expect(renewed.status).toBe('active');
    expect(renewed.items.data[0]?.current_period_start).toBe(startOfNextMonth(now));
    const cycle = fake.engine.invoice(renewed.latest_invoice!);
    expect(cycle).toMatchObject({ status: 'paid', amount_paid: 500, billing_reason: 'subscription_cycle' });

    const cancelled = await stripe.subscriptions.update(subscription.id, { cancel_at_period_end: true });
    expect(cancelled).toMatchObject({ cancel_at_period_end: true, status: 'active' });
    expect(fake.advanceSubscription(subscription.id).status).toBe('canceled');
  });

  it('leaves a subscription incomplete when the first charge is declined and past_due when a renewal is', async () => {
    const price = await monthlyPrice('premium_eur_declined');
    const { customer, paymentMethod } = await customerWith('pm_card_chargeDeclined');
    const subscription = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      default_payment_method: paymentMethod,
    });
    expect(subscription.status).toBe('incomplete');
    const invoice = await stripe.invoices.retrieve(subscription.latest_invoice as string);
    expect(invoice).toMatchObject({ status: 'open', attempt_count: 1, amount_paid: 0 });
    await expect(stripe.invoices.pay(invoice.id)).rejects.toMatchObject({
      type: 'StripeCardError',
      code: 'card_declined',
    });

    const good = await customerWith('pm_card_visa');
    const active = await stripe.subscriptions.create({
      customer: good.customer.id,
      items: [{ price: price.id }],
      default_payment_method: good.paymentMethod,
    });
    const declined = await stripe.paymentMethods.attach('pm_card_chargeDeclined', {
      customer: good.customer.id,
    });
    await stripe.subscriptions.update(active.id, { default_payment_method: declined.id });
    expect(fake.advanceSubscription(active.id).status).toBe('past_due');
  });

  it('retries a webhook the endpoint refused, and re-sends an event on request with the same id', async () => {
    await fake.webhooksIdle();
    failNext = 1;
    const customer = await stripe.customers.create({ email: 'retry@example.org' });
    const created = fake.events.find(
      (event) =>
        event.type === 'customer.created' && (event.data.object as { id: string }).id === customer.id,
    )!;
    const deadline = Date.now() + 5_000;
    while (!received.some((event) => event.id === created.id) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const attempts = fake.deliveries.filter((attempt) => attempt.eventId === created.id);
    expect(attempts.map((attempt) => attempt.status)).toEqual([503, 200]);

    fake.resendEvent(created.id);
    await fake.webhooksIdle();
    expect(received.filter((event) => event.id === created.id)).toHaveLength(2);
  });
});

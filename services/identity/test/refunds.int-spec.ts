import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type EventObject,
  type FakeStripe,
  startFakeStripe,
  stripeSignatureHeader,
} from '@onecommons/fake-stripe';
import { eventually, startService, type RunningService } from '@onecommons/testing';
import Stripe from 'stripe';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import { type Answer, GENEROUS_RATE_LIMITS, IdentityClient, type TestAccount } from './identity-client.js';

// Refunds and disputes: Stripe's webhooks (from the fake Stripe) recorded once against the payment they
// reverse and announced once each; an admin's refund through identity; the subscriber's own view.

const secretKey = `sk_test_${randomUUID().replaceAll('-', '')}`;
const webhookSecret = `whsec_${randomUUID().replaceAll('-', '')}`;
const BOOTSTRAP_TOKEN = `bootstrap-${randomUUID()}`;
const REFUNDED = 'onecommons.identity.payment.refunded.v1';
const WITHDRAWN = 'onecommons.identity.payment.dispute-funds-withdrawn.v1';
const REINSTATED = 'onecommons.identity.payment.dispute-funds-reinstated.v1';

let fake: FakeStripe;
let stripe: Stripe;
let identity: RunningService<IdentityConfig>;
let client: IdentityClient;
let webhookUrl: string;
let admin: TestAccount;

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey, retry: { firstDelayMs: 100, maxDelayMs: 400, maxAttempts: 10 } });
  identity = await startService(identityService, {
    env: {
      STRIPE_API_BASE: fake.url,
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      PREMIUM_PRICES: 'EUR:500',
      IDENTITY_ADMIN_BOOTSTRAP_TOKEN: BOOTSTRAP_TOKEN,
      ...GENEROUS_RATE_LIMITS,
    },
  });
  webhookUrl = `${identity.url}/api/identity/v1/payments/stripe/webhook`;
  fake.addWebhookEndpoint({ url: webhookUrl, secret: webhookSecret });
  const { hostname, port } = new URL(fake.url);
  stripe = new Stripe(secretKey, { host: hostname, port, protocol: 'http', maxNetworkRetries: 0 });
  client = new IdentityClient(identity);
  const account = await client.newAccount('refund-admin');
  const bootstrap = await client.call('POST', '/v1/admins/bootstrap', {
    credential: account.token,
    body: { token: BOOTSTRAP_TOKEN },
  });
  expect(bootstrap.status).toBe(200);
  admin = { id: account.id, token: await client.login(account.email) };
});

afterAll(async () => {
  await fake.close();
  await identity.stop();
});

interface Paid {
  readonly subscriber: TestAccount;
  readonly paymentId: string;
  readonly invoiceId: string;
  readonly paymentIntent: string;
  readonly charge: string;
}

interface OutboxEvent {
  type: string;
  subject: string;
  data: Record<string, string | null>;
}

interface PaymentView {
  id: string;
  amountMinor: string;
  refundedMinor: string;
  disputedMinor: string;
  refunds: { id: string; amountMinor: string; reason: string | null }[];
  disputes: {
    id: string;
    amountMinor: string;
    reason: string;
    status: string;
    fundsWithdrawnAt: string | null;
    fundsReinstatedAt: string | null;
  }[];
}

/** A new subscriber whose first invoice (500 EUR minor units) is paid and recorded. */
async function paidSubscriber(): Promise<Paid> {
  const subscriber = await client.newAccount('refunds');
  const created = await client.call('POST', '/v1/subscriptions', {
    credential: subscriber.token,
    body: { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_card_visa' },
  });
  expect(created.status).toBe(201);
  const [payment] = await eventually('the payment to be recorded', async () => {
    const rows = await identity.query<{ id: string; provider_payment_id: string }>(
      'SELECT id, provider_payment_id FROM payments WHERE account_id = $1',
      [subscriber.id],
    );
    return rows.length > 0 ? rows : undefined;
  });
  return {
    subscriber,
    paymentId: payment!.id,
    invoiceId: payment!.provider_payment_id,
    ...(await intentOf(payment!.provider_payment_id)),
  };
}

async function intentOf(invoiceId: string): Promise<{ paymentIntent: string; charge: string }> {
  const links = await stripe.invoicePayments.list({ invoice: invoiceId });
  const paymentIntent = links.data[0]!.payment.payment_intent as string;
  return {
    paymentIntent,
    charge: (await stripe.paymentIntents.retrieve(paymentIntent)).latest_charge as string,
  };
}

async function outboxEvents(subscriber: TestAccount, type: string): Promise<OutboxEvent[]> {
  const rows = await identity.query<{ payload: string }>(
    'SELECT payload FROM outbox WHERE message_key = $1 AND event_type = $2 ORDER BY id',
    [subscriber.id, type],
  );
  return rows.map((row) => JSON.parse(row.payload) as OutboxEvent);
}

const refundAsAdmin = (paymentId: string, body: unknown, credential = admin.token, key?: string) =>
  fetch(`${identity.url}/api/identity/v1/admin/payments/${paymentId}/refunds`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(credential ? { authorization: `Bearer ${credential}` } : {}),
      ...(key ? { 'idempotency-key': key } : {}),
    },
    body: JSON.stringify(body),
  }).then(async (response): Promise<Answer> => ({
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
  }));

async function paymentView(subscriber: TestAccount, paymentId: string): Promise<PaymentView | undefined> {
  const answer = await client.call<{ payments: PaymentView[] }>('GET', '/v1/payments', {
    credential: subscriber.token,
  });
  expect(answer.status).toBe(200);
  return answer.body.payments.find((payment) => payment.id === paymentId);
}

function postWebhook(event: EventObject): Promise<{ status: number; outcome?: string; code?: string }> {
  const payload = JSON.stringify(event);
  return fetch(webhookUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': stripeSignatureHeader(payload, webhookSecret, Math.floor(Date.now() / 1_000)),
    },
    body: payload,
  }).then(async (response) => {
    const body = (await response.json()) as { outcome?: string; error?: { code: string } };
    return { status: response.status, outcome: body.outcome, code: body.error?.code };
  });
}

const eventsAbout = (types: readonly string[], id: string) =>
  fake.events.filter(
    (event) => types.includes(event.type) && (event.data.object as { id: string; charge?: string }).id === id,
  );
const refundEventsOf = (charge: string) =>
  fake.events.filter(
    (event) =>
      (event.type === 'refund.created' && (event.data.object as { charge: string }).charge === charge) ||
      (event.type === 'charge.refunded' && (event.data.object as { id: string }).id === charge),
  );

describe('a refund through the admin API', () => {
  let paid: Paid;

  beforeAll(async () => {
    paid = await paidSubscriber();
  });

  it('is refused to the subscriber, an outsider and the anonymous, and bad input names its field', async () => {
    const outsider = await client.newAccount('outsider');
    const body = { amountMinor: '100', reason: 'requested_by_customer' };
    expect(await refundAsAdmin(paid.paymentId, body, paid.subscriber.token)).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect((await refundAsAdmin(paid.paymentId, body, outsider.token)).status).toBe(403);
    expect((await refundAsAdmin(paid.paymentId, body, '')).status).toBe(401);
    for (const [bad, field] of [
      [{ amountMinor: '0', reason: 'duplicate' }, 'amountMinor'],
      [{ amountMinor: 100, reason: 'duplicate' }, 'amountMinor'],
      [{ amountMinor: '100', reason: 'because' }, 'reason'],
      [{ amountMinor: '100', reason: 'duplicate', note: 'x' }, 'note'],
    ] as const) {
      expect(await refundAsAdmin(paid.paymentId, bad)).toMatchObject({
        status: 400,
        body: { error: { code: 'validation_failed', field } },
      });
    }
    expect(await refundAsAdmin(paid.paymentId, body, admin.token, 'not a key!')).toMatchObject({
      status: 400,
      body: { error: { field: 'idempotency-key' } },
    });
    expect(await refundAsAdmin(randomUUID(), body)).toMatchObject({
      status: 404,
      body: { error: { code: 'payment_not_found' } },
    });
    // None of it reached Stripe.
    expect(refundEventsOf(paid.charge)).toEqual([]);
  });

  it('refunds part, once per idempotency key; the webhook records it and announces its own amount', async () => {
    const key = randomUUID();
    const first = await refundAsAdmin(
      paid.paymentId,
      { amountMinor: '200', reason: 'requested_by_customer' },
      admin.token,
      key,
    );
    expect(first).toMatchObject({
      status: 202,
      body: {
        paymentId: paid.paymentId,
        amountMinor: '200',
        currency: 'EUR',
        reason: 'requested_by_customer',
        status: 'succeeded',
      },
    });
    const again = await refundAsAdmin(
      paid.paymentId,
      { amountMinor: '200', reason: 'requested_by_customer' },
      admin.token,
      key,
    );
    expect(again.body['providerRefundId']).toBe(first.body['providerRefundId']);
    expect(
      [...fake.payments.refunds.values()].filter((refund) => refund.charge === paid.charge),
    ).toHaveLength(1);

    const [refunded] = await eventually('PaymentRefunded', async () => {
      const events = await outboxEvents(paid.subscriber, REFUNDED);
      return events.length > 0 ? events : undefined;
    });
    expect(refunded).toMatchObject({
      subject: paid.subscriber.id,
      data: {
        subscriber: paid.subscriber.id,
        paymentId: paid.paymentId,
        period: new Date().toISOString().slice(0, 7),
        currency: 'EUR',
        amountMinor: '200',
        providerRefundId: first.body['providerRefundId'] as string,
        reason: 'requested_by_customer',
        provider: 'stripe',
      },
    });
    expect(await paymentView(paid.subscriber, paid.paymentId)).toMatchObject({
      amountMinor: '500',
      refundedMinor: '200',
      refunds: [{ id: refunded!.data['refundId'], amountMinor: '200', reason: 'requested_by_customer' }],
    });
  });

  it('refuses more than is left: by identity’s own books, and by Stripe when a refund is still on its way', async () => {
    expect(await refundAsAdmin(paid.paymentId, { amountMinor: '301', reason: 'duplicate' })).toMatchObject({
      status: 409,
      body: { error: { code: 'refund_exceeds_payment', field: 'amountMinor' } },
    });
    await fake.webhooksIdle();
    fake.holdWebhooks();
    try {
      expect((await refundAsAdmin(paid.paymentId, { amountMinor: '250', reason: 'duplicate' })).status).toBe(
        202,
      );
      // Identity has not heard of that refund yet (300 left by its books); Stripe knows only 50 are.
      expect(await refundAsAdmin(paid.paymentId, { amountMinor: '100', reason: 'duplicate' })).toMatchObject({
        status: 409,
        body: { error: { code: 'refund_exceeds_payment', field: 'amountMinor' } },
      });
    } finally {
      fake.releaseWebhooks();
    }
    await fake.webhooksIdle();
    const refunds = await outboxEvents(paid.subscriber, REFUNDED);
    expect(refunds.map((event) => event.data['amountMinor'])).toEqual(['200', '250']);
  });

  it('changes nothing twice when Stripe delivers the refund’s events again, one by one or all at once', async () => {
    const before = await identity.query('SELECT id FROM payment_refunds ORDER BY id');
    const events = refundEventsOf(paid.charge);
    expect(events.map((event) => event.type).sort()).toEqual([
      'charge.refunded',
      'charge.refunded',
      'refund.created',
      'refund.created',
    ]);
    for (const event of events) fake.resendEvent(event.id);
    await fake.webhooksIdle();
    const answers = await Promise.all(events.flatMap((event) => [postWebhook(event), postWebhook(event)]));
    expect(new Set(answers.map((answer) => answer.outcome))).toEqual(new Set(['duplicate']));
    // A new event id reporting the same refund (a charge.refunded of another delivery) is still the same refund.
    const twin = {
      ...events.find((event) => event.type === 'charge.refunded')!,
      id: `evt_twin_${randomUUID()}`,
    };
    expect(await postWebhook(twin)).toMatchObject({ status: 200, outcome: 'duplicate' });
    expect(await identity.query('SELECT id FROM payment_refunds ORDER BY id')).toEqual(before);
    expect(await outboxEvents(paid.subscriber, REFUNDED)).toHaveLength(2);
  });
});

describe('Stripe’s events out of order', () => {
  it('record a refund whose charge.refunded comes first, once, from the refunds Stripe lists', async () => {
    const paid = await paidSubscriber();
    await fake.webhooksIdle();
    fake.holdWebhooks();
    let refundId: string;
    try {
      refundId = (
        await stripe.refunds.create({ payment_intent: paid.paymentIntent, amount: 120, reason: 'duplicate' })
      ).id;
      const chargeRefunded = eventsAbout(['charge.refunded'], paid.charge)[0]!;
      const concurrent = await Promise.all([postWebhook(chargeRefunded), postWebhook(chargeRefunded)]);
      expect(concurrent.map((answer) => answer.outcome).sort()).toEqual(['applied', 'duplicate']);
    } finally {
      fake.releaseWebhooks();
    }
    await fake.webhooksIdle();
    const refunds = await outboxEvents(paid.subscriber, REFUNDED);
    expect(refunds.map((event) => [event.data['providerRefundId'], event.data['amountMinor']])).toEqual([
      [refundId, '120'],
    ]);
  });

  it('answer 503 to a refund of a payment not recorded yet, so Stripe delivers it again after the payment', async () => {
    const subscriber = await client.newAccount('early-refund');
    fake.holdWebhooks();
    let invoiceId: string;
    try {
      const created = await client.call('POST', '/v1/subscriptions', {
        credential: subscriber.token,
        body: { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_card_visa' },
      });
      expect(created.status).toBe(201);
      const [row] = await identity.query<{ provider_subscription_id: string }>(
        'SELECT provider_subscription_id FROM subscriptions WHERE account_id = $1',
        [subscriber.id],
      );
      invoiceId = fake.engine.subscription(row!.provider_subscription_id).latest_invoice!;
      const { paymentIntent, charge } = await intentOf(invoiceId);
      await stripe.refunds.create({ payment_intent: paymentIntent, amount: 500 });
      const refundCreated = refundEventsOf(charge).find((event) => event.type === 'refund.created')!;
      expect(await postWebhook(refundCreated)).toMatchObject({
        status: 503,
        code: 'payment_not_recorded_yet',
      });
      expect(
        await identity.query('SELECT 1 FROM payment_provider_events WHERE event_id = $1', [refundCreated.id]),
      ).toEqual([]);
    } finally {
      fake.releaseWebhooks();
    }
    await fake.webhooksIdle();
    const [refunded] = await eventually('the refund recorded after its payment', async () => {
      const events = await outboxEvents(subscriber, REFUNDED);
      return events.length > 0 ? events : undefined;
    });
    const [payment] = await identity.query<{ id: string }>(
      'SELECT id FROM payments WHERE provider_payment_id = $1',
      [invoiceId!],
    );
    expect(refunded?.data).toMatchObject({ paymentId: payment!.id, amountMinor: '500' });
    expect(await outboxEvents(subscriber, REFUNDED)).toHaveLength(1);
  });
});

describe('a dispute', () => {
  it('lost: the funds are withdrawn once, the subscriber sees it lost, and a refund is refused', async () => {
    const paid = await paidSubscriber();
    const opened = await fetch(`${fake.url}/_fake/charges/${paid.charge}/dispute`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'product_not_received' }),
    });
    const dispute = (await opened.json()) as { id: string };
    fake.closeDispute(dispute.id, 'lost');
    await fake.webhooksIdle();
    for (const event of eventsAbout(['charge.dispute.funds_withdrawn', 'charge.dispute.closed'], dispute.id))
      expect(await postWebhook(event)).toMatchObject({ status: 200, outcome: 'duplicate' });
    const withdrawn = await outboxEvents(paid.subscriber, WITHDRAWN);
    expect(withdrawn.map((event) => event.data)).toMatchObject([
      {
        paymentId: paid.paymentId,
        amountMinor: '500',
        reason: 'product_not_received',
        providerDisputeId: dispute.id,
      },
    ]);
    expect(await outboxEvents(paid.subscriber, REINSTATED)).toEqual([]);
    expect(await paymentView(paid.subscriber, paid.paymentId)).toMatchObject({
      disputedMinor: '500',
      disputes: [
        { amountMinor: '500', reason: 'product_not_received', status: 'lost', fundsReinstatedAt: null },
      ],
    });
    expect(await refundAsAdmin(paid.paymentId, { amountMinor: '1', reason: 'duplicate' })).toMatchObject({
      status: 409,
      body: { error: { code: 'payment_disputed' } },
    });
  });

  it('won, delivered out of order: the withdrawal is announced before its reinstatement, each once', async () => {
    const paid = await paidSubscriber();
    await fake.webhooksIdle();
    fake.holdWebhooks();
    let disputeId: string;
    try {
      disputeId = fake.openDispute(paid.charge, { amount: 300 }).id;
      fake.closeDispute(disputeId, 'won');
      const [reinstated] = eventsAbout(['charge.dispute.funds_reinstated'], disputeId);
      expect(await postWebhook(reinstated!)).toMatchObject({ status: 200, outcome: 'applied' });
    } finally {
      fake.releaseWebhooks();
    }
    await fake.webhooksIdle();
    const announced = (
      await identity.query<{ event_type: string; payload: string }>(
        `SELECT event_type, payload FROM outbox WHERE message_key = $1 AND event_type IN ($2, $3) ORDER BY id`,
        [paid.subscriber.id, WITHDRAWN, REINSTATED],
      )
    ).map((row) => [row.event_type, (JSON.parse(row.payload) as OutboxEvent).data['amountMinor']]);
    expect(announced).toEqual([
      [WITHDRAWN, '300'],
      [REINSTATED, '300'],
    ]);
    const view = await paymentView(paid.subscriber, paid.paymentId);
    expect(view).toMatchObject({ disputedMinor: '0', disputes: [{ status: 'won', amountMinor: '300' }] });
    expect(view?.disputes[0]?.fundsReinstatedAt).not.toBeNull();
    // Stripe delivered the earlier snapshots late: the status does not go back.
    const [row] = await identity.query<{ status: string }>(
      'SELECT status FROM payment_disputes WHERE provider_dispute_id = $1',
      [disputeId!],
    );
    expect(row?.status).toBe('won');
  });

  it('is nobody else’s business: another subscriber sees none of these payments', async () => {
    const stranger = await client.newAccount('stranger');
    expect(await client.call('GET', '/v1/payments', { credential: stranger.token })).toMatchObject({
      status: 200,
      body: { payments: [] },
    });
  });
});

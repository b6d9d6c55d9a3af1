import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS } from '@onecommons/contracts';
import {
  type EventObject,
  type FakeStripe,
  startFakeStripe,
  stripeSignatureHeader,
} from '@onecommons/fake-stripe';
import { eventually, startService, TopicProbe, type RunningService } from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';

const secretKey = `sk_test_${randomUUID().replaceAll('-', '')}`;
const webhookSecret = `whsec_${randomUUID().replaceAll('-', '')}`;
const password = 'correct horse battery staple';

let fake: FakeStripe;
let identity: RunningService<IdentityConfig>;
let probe: TopicProbe;
let webhookUrl: string;

beforeAll(async () => {
  fake = await startFakeStripe({ secretKey, retry: { firstDelayMs: 100, maxDelayMs: 500, maxAttempts: 5 } });
  identity = await startService(identityService, {
    env: {
      STRIPE_API_BASE: fake.url,
      STRIPE_SECRET_KEY: secretKey,
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      PREMIUM_PRICES: 'EUR:500,USD:600',
    },
  });
  webhookUrl = `${identity.url}/api/identity/v1/payments/stripe/webhook`;
  fake.addWebhookEndpoint({ url: webhookUrl, secret: webhookSecret });
  probe = await TopicProbe.start([TOPICS.identityEvents.name]);
});

afterAll(async () => {
  await probe.stop();
  await fake.close();
  await identity.stop();
});

interface Subscriber {
  readonly id: string;
  readonly token: string;
}

interface SubscriptionBody {
  id: string;
  status: string;
  period: string | null;
  paidPeriod: string | null;
  unpaidPeriod: string | null;
  cancelAtPeriodEnd: boolean;
  amountMinor: string;
  currency: string;
}

async function call(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${identity.url}/api/identity${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function newSubscriber(): Promise<Subscriber> {
  const email = `billing-${randomUUID()}@example.org`;
  const registered = await call('POST', '/v1/accounts', undefined, { email, password });
  expect(registered.status).toBe(201);
  const session = await call('POST', '/v1/sessions', undefined, { email, password });
  expect(session.status).toBe(201);
  return { id: registered.body['id'] as string, token: session.body['accessToken'] as string };
}

const subscribe = (subscriber: Subscriber, paymentMethod = 'pm_card_visa', currency = 'EUR') =>
  call('POST', '/v1/subscriptions', subscriber.token, { plan: 'premium', currency, paymentMethod });

async function current(subscriber: Subscriber): Promise<SubscriptionBody> {
  const response = await call('GET', '/v1/subscriptions/current', subscriber.token);
  expect(response.status).toBe(200);
  return response.body as unknown as SubscriptionBody;
}

const untilStatus = (subscriber: Subscriber, wanted: (body: SubscriptionBody) => boolean, what: string) =>
  eventually(what, async () => {
    const body = await current(subscriber);
    return wanted(body) ? body : undefined;
  });

interface OutboxEvent {
  type: string;
  subject: string;
  data: Record<string, string>;
}

async function outboxEvents(subscriber: Subscriber, type?: string): Promise<OutboxEvent[]> {
  const rows = await identity.query<{ payload: string }>(
    `SELECT payload FROM outbox WHERE message_key = $1 ${type ? 'AND event_type = $2' : ''} ORDER BY id`,
    type ? [subscriber.id, type] : [subscriber.id],
  );
  return rows.map((row) => JSON.parse(row.payload) as OutboxEvent);
}

const CAPTURED = 'onecommons.identity.payment.captured.v1';
const thisMonth = () => new Date().toISOString().slice(0, 7);
const nextMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 7);
};

async function providerSubscriptionOf(subscriptionId: string): Promise<string> {
  const [row] = await identity.query<{ provider_subscription_id: string }>(
    'SELECT provider_subscription_id FROM subscriptions WHERE id = $1',
    [subscriptionId],
  );
  return row!.provider_subscription_id;
}

function invoicePaidEventsOf(providerSubscriptionId: string): EventObject[] {
  return fake.events.filter(
    (event) =>
      event.type === 'invoice.paid' &&
      (event.data.object as { parent: { subscription_details: { subscription: string } } }).parent
        .subscription_details.subscription === providerSubscriptionId,
  );
}

function postWebhook(payload: string, signature: string | undefined) {
  return fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    body: payload,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1_000);

describe('plans', () => {
  it('lists free and premium with its monthly fee per currency, publicly', async () => {
    const response = await call('GET', '/v1/plans');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      plans: [
        { id: 'free', name: 'Free', interval: null, prices: [] },
        {
          id: 'premium',
          name: 'Premium',
          interval: 'month',
          prices: [
            { currency: 'EUR', amountMinor: '500' },
            { currency: 'USD', amountMinor: '600' },
          ],
        },
      ],
    });
  });
});

describe('a paying subscriber', () => {
  let alice: Subscriber;
  let subscriptionId: string;
  let providerId: string;

  beforeAll(async () => {
    alice = await newSubscriber();
  });

  it('subscribes by API; the paid invoice’s webhook activates the subscription and captures once', async () => {
    const created = await subscribe(alice);
    expect(created.status).toBe(201);
    subscriptionId = created.body['id'] as string;
    expect(created.body).toMatchObject({ plan: 'premium', currency: 'EUR', amountMinor: '500' });

    const active = await untilStatus(
      alice,
      (body) => body.status === 'active',
      'the subscription to be active',
    );
    expect(active).toMatchObject({
      id: subscriptionId,
      paidPeriod: thisMonth(),
      period: thisMonth(),
      unpaidPeriod: null,
    });
    providerId = await providerSubscriptionOf(subscriptionId);

    const captured = await outboxEvents(alice, CAPTURED);
    expect(captured).toHaveLength(1);
    expect(captured[0]).toMatchObject({
      subject: alice.id,
      data: {
        subscriber: alice.id,
        subscriptionId,
        period: thisMonth(),
        amountMinor: '500',
        currency: 'EUR',
        provider: 'stripe',
      },
    });
    const invoicePaid = invoicePaidEventsOf(providerId);
    expect(invoicePaid).toHaveLength(1);
    expect(captured[0]?.data['providerEventId']).toBe(invoicePaid[0]?.id);
    const started = await outboxEvents(alice, 'onecommons.identity.subscription.started.v1');
    expect(started.map((event) => event.data['period'])).toEqual([thisMonth()]);

    const onKafka = await eventually('PaymentCaptured on identity.events.v1', async () => {
      const found = probe.matching(
        (message) => message.key === alice.id && message.value?.includes(CAPTURED) === true,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(onKafka).toHaveLength(1);

    const payments = await call('GET', '/v1/payments', alice.token);
    expect(payments.body['payments']).toMatchObject([
      { subscriptionId, period: thisMonth(), amountMinor: '500', currency: 'EUR' },
    ]);
  });

  it('captures once when Stripe delivers the same event again, sequentially and concurrently', async () => {
    const [paid] = invoicePaidEventsOf(providerId);
    fake.resendEvent(paid!.id);
    fake.resendEvent(paid!.id);
    await fake.webhooksIdle();
    const payload = JSON.stringify(paid);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        postWebhook(payload, stripeSignatureHeader(payload, webhookSecret, nowSeconds())),
      ),
    );
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: 8 }, () => 200));
    const outcomes = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { outcome: string }).outcome),
    );
    expect(new Set(outcomes)).toEqual(new Set(['duplicate']));

    expect(await outboxEvents(alice, CAPTURED)).toHaveLength(1);
    const payments = await identity.query('SELECT id FROM payments WHERE subscription_id = $1', [
      subscriptionId,
    ]);
    expect(payments).toHaveLength(1);
    const deliveries = fake.deliveries.filter((attempt) => attempt.eventId === paid!.id);
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    expect(deliveries.every((attempt) => attempt.status === 200)).toBe(true);
  });

  it('captures once when a different event reports the same invoice', async () => {
    const [paid] = invoicePaidEventsOf(providerId);
    const twin = { ...paid!, id: `evt_twin_${randomUUID().replaceAll('-', '')}` };
    const payload = JSON.stringify(twin);
    const response = await postWebhook(payload, stripeSignatureHeader(payload, webhookSecret, nowSeconds()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, outcome: 'duplicate' });
    expect(await outboxEvents(alice, CAPTURED)).toHaveLength(1);
  });

  it('refuses a webhook with a bad, missing, stale or foreign signature with 400, changing nothing', async () => {
    const [paid] = invoicePaidEventsOf(providerId);
    const forged = structuredClone(paid!) as EventObject & { data: { object: Record<string, unknown> } };
    forged.id = `evt_forged_${randomUUID().replaceAll('-', '')}`;
    forged.data.object['id'] = `in_forged_${randomUUID().replaceAll('-', '')}`;
    const payload = JSON.stringify(forged);
    const before = await identity.query('SELECT count(*)::int AS n FROM outbox');
    const attempts = [
      postWebhook(payload, stripeSignatureHeader(payload, 'whsec_not_the_secret', nowSeconds())),
      postWebhook(payload, undefined),
      postWebhook(payload, stripeSignatureHeader(payload, webhookSecret, nowSeconds() - 3_600)),
      postWebhook(payload, stripeSignatureHeader(JSON.stringify(paid), webhookSecret, nowSeconds())),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_signature' } });
    }
    expect(await identity.query('SELECT count(*)::int AS n FROM outbox')).toEqual(before);
    expect(
      await identity.query('SELECT 1 FROM payment_provider_events WHERE event_id = $1', [forged.id]),
    ).toEqual([]);
    expect(
      await identity.query('SELECT 1 FROM payments WHERE provider_payment_id = $1', [
        forged.data.object['id'],
      ]),
    ).toEqual([]);
  });

  it('renews for the next period: a new invoice, SubscriptionRenewed and a second PaymentCaptured, once under concurrent first delivery', async () => {
    fake.holdWebhooks();
    fake.advanceSubscription(providerId);
    const renewalPaid = invoicePaidEventsOf(providerId).at(-1)!;
    const payload = JSON.stringify(renewalPaid);
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        postWebhook(payload, stripeSignatureHeader(payload, webhookSecret, nowSeconds())),
      ),
    );
    const outcomes = await Promise.all(
      responses.map(async (response) => ((await response.json()) as { outcome: string }).outcome),
    );
    expect(outcomes.sort()).toEqual(['applied', ...Array.from({ length: 7 }, () => 'duplicate')]);
    fake.releaseWebhooks();
    await fake.webhooksIdle();

    const renewed = await untilStatus(
      alice,
      (body) => body.paidPeriod === nextMonth(),
      'the renewal to be paid',
    );
    expect(renewed).toMatchObject({ status: 'active', period: nextMonth() });
    const captured = await outboxEvents(alice, CAPTURED);
    expect(captured.map((event) => event.data['period'])).toEqual([thisMonth(), nextMonth()]);
    expect(captured[1]?.data['providerEventId']).toBe(renewalPaid.id);
    expect(new Set(captured.map((event) => event.data['paymentId'])).size).toBe(2);
    const renewals = await outboxEvents(alice, 'onecommons.identity.subscription.renewed.v1');
    expect(renewals.map((event) => event.data['period'])).toEqual([nextMonth()]);
  });

  it('refuses a second subscription while one is live', async () => {
    const again = await subscribe(alice);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ error: { code: 'subscription_exists' } });
  });

  it('is invisible to and cannot be cancelled by another subscriber', async () => {
    const mallory = await newSubscriber();
    expect((await call('GET', `/v1/subscriptions/${subscriptionId}`, mallory.token)).status).toBe(404);
    expect((await call('GET', '/v1/subscriptions/current', mallory.token)).status).toBe(404);
    expect((await call('POST', '/v1/subscriptions/current/cancel', mallory.token)).status).toBe(404);
    expect(await call('GET', '/v1/payments', mallory.token)).toMatchObject({
      status: 200,
      body: { payments: [] },
    });
    expect((await call('GET', `/v1/subscriptions/${subscriptionId}`)).status).toBe(401);
    expect((await call('POST', '/v1/subscriptions/current/cancel')).status).toBe(401);
    const own = await call('GET', `/v1/subscriptions/${subscriptionId}`, alice.token);
    expect(own).toMatchObject({ status: 200, body: { id: subscriptionId, cancelAtPeriodEnd: false } });
  });

  it('cancels at period end: premium stays until then, nothing more is charged, then it ends', async () => {
    const cancelled = await call('POST', '/v1/subscriptions/current/cancel', alice.token);
    expect(cancelled).toMatchObject({
      status: 200,
      body: { status: 'active', cancelAtPeriodEnd: true, period: nextMonth() },
    });
    const again = await call('POST', '/v1/subscriptions/current/cancel', alice.token);
    expect(again).toMatchObject({ status: 200, body: { cancelAtPeriodEnd: true } });
    expect(fake.engine.subscription(providerId).cancel_at_period_end).toBe(true);
    await fake.webhooksIdle();
    const cancellations = await outboxEvents(alice, 'onecommons.identity.subscription.cancelled.v1');
    expect(cancellations).toHaveLength(1);
    expect(cancellations[0]?.data).toMatchObject({ subscriptionId, lastPeriod: nextMonth() });

    fake.advanceSubscription(providerId);
    const ended = await untilStatus(alice, (body) => body.status === 'ended', 'the subscription to end');
    expect(ended.cancelAtPeriodEnd).toBe(true);
    expect(await outboxEvents(alice, 'onecommons.identity.subscription.ended.v1')).toHaveLength(1);
    expect(await outboxEvents(alice, CAPTURED)).toHaveLength(2);
  });
});

describe('a declined card', () => {
  it('leaves the subscription past due for the period, with no payment captured', async () => {
    const bob = await newSubscriber();
    const created = await subscribe(bob, 'pm_card_chargeDeclined', 'usd');
    expect(created.status).toBe(201);
    const pastDue = await untilStatus(
      bob,
      (body) => body.status === 'past_due',
      'the subscription to be past due',
    );
    expect(pastDue).toMatchObject({
      unpaidPeriod: thisMonth(),
      paidPeriod: null,
      currency: 'USD',
      amountMinor: '600',
    });
    const events = await outboxEvents(bob);
    expect(events.filter((event) => event.type === CAPTURED)).toEqual([]);
    expect(
      events.filter((event) => event.type === 'onecommons.identity.subscription.past-due.v1'),
    ).toMatchObject([{ data: { subscriber: bob.id, period: thisMonth() } }]);
  });
});

describe('subscribing', () => {
  it.each([
    [
      { plan: 'premium', currency: 'JPY', paymentMethod: 'pm_card_visa' },
      400,
      'currency_not_offered',
      'currency',
    ],
    [{ plan: 'free', currency: 'EUR', paymentMethod: 'pm_card_visa' }, 400, 'plan_not_subscribable', 'plan'],
    [
      { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_no_such_card' },
      400,
      'payment_method_invalid',
      'paymentMethod',
    ],
    [{ plan: 'premium', currency: 'EUR' }, 400, 'validation_failed', 'paymentMethod'],
    [
      { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_card_visa', price: 1 },
      400,
      'validation_failed',
      'price',
    ],
  ])('answers %j with %i %s naming %s, creating nothing', async (body, status, code, field) => {
    const carol = await newSubscriber();
    const response = await call('POST', '/v1/subscriptions', carol.token, body);
    expect(response).toMatchObject({ status, body: { error: { code, field } } });
    expect(
      await identity.query("SELECT 1 FROM subscriptions WHERE account_id = $1 AND status <> 'failed'", [
        carol.id,
      ]),
    ).toEqual([]);
  });

  it('needs an access token', async () => {
    const response = await call('POST', '/v1/subscriptions', undefined, {
      plan: 'premium',
      currency: 'EUR',
      paymentMethod: 'pm_card_visa',
    });
    expect(response.status).toBe(401);
  });
});

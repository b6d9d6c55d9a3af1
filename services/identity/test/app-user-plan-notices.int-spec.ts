import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createEvent, SubscriptionStartedV1 } from '@onecommons/contracts';
import { eventually, RawProducer, startService, type RunningService } from '@onecommons/testing';
import { type IdentityConfig } from '../src/config.js';
import { identityService } from '../src/identity.definition.js';
import { announceService, GENEROUS_RATE_LIMITS, IdentityClient } from './identity-client.js';

// Which apps hear of a subscriber's plan change: only the live clients the subscriber granted `plan`.
// Grants are written as the provider stores them (the code flow itself runs in tests/e2e/sign-in-with-onecommons).

let identity: RunningService<IdentityConfig>;
let client: IdentityClient;

beforeAll(async () => {
  identity = await startService(identityService, { env: GENEROUS_RATE_LIMITS });
  client = new IdentityClient(identity);
});

afterAll(async () => {
  await identity.stop();
});

/** An operator organization's client for a service it operates. */
async function newClient(): Promise<{
  clientId: string;
  organizationId: string;
  serviceId: string;
  token: string;
}> {
  const operator = await client.newAccount('notice-operator');
  const organizationId = await client.newOrganization(operator.token, 'operator');
  const token = await client.login(operator.email);
  const serviceId = await announceService(identity, organizationId);
  const registered = await client.call<{ clientId: string }>(
    'POST',
    `/v1/organizations/${organizationId}/oidc-clients`,
    {
      credential: token,
      body: { serviceId, name: 'notice app', redirectUris: ['https://notice.example/cb'] },
    },
  );
  expect(registered.status).toBe(201);
  return { clientId: registered.body.clientId, organizationId, serviceId, token };
}

/** A grant as the provider stores it. */
async function grant(
  accountId: string,
  clientId: string,
  scope: string,
  expiresInSeconds = 3_600,
): Promise<void> {
  const id = randomUUID();
  await identity.query(
    `INSERT INTO oidc_artifacts (model, id, payload, account_id, expires_at)
     VALUES ('Grant', $1, $2, $3, now() + make_interval(secs => $4::int))`,
    [
      id,
      JSON.stringify({ kind: 'Grant', jti: id, accountId, clientId, openid: { scope } }),
      accountId,
      expiresInSeconds,
    ],
  );
}

async function subscriptionStarted(subscriber: string): Promise<void> {
  const event = createEvent(
    SubscriptionStartedV1,
    {
      subscriber,
      subscriptionId: randomUUID(),
      plan: 'premium',
      currency: 'EUR',
      amountMinor: '500',
      period: '2026-12',
      startedAt: new Date().toISOString(),
    },
    { source: '/onecommons/identity' },
  );
  const producer = await RawProducer.connect();
  try {
    await producer.send(SubscriptionStartedV1.topic, subscriber, JSON.stringify(event));
  } finally {
    await producer.stop();
  }
  await eventually('identity applies the subscription event', async () =>
    (await identity.query('SELECT 1 FROM processed_events WHERE event_id = $1', [event.id])).length > 0
      ? true
      : undefined,
  );
}

const noticesFor = async (subscriber: string) =>
  (
    await identity.query<{ payload: string }>(
      `SELECT payload FROM outbox WHERE event_type = 'onecommons.identity.app-user.plan-changed.v1' AND message_key = $1`,
      [subscriber],
    )
  ).map((row) => (JSON.parse(row.payload) as { data: Record<string, unknown> }).data);

describe('plan-change notices to apps', () => {
  it('go to every live client the subscriber granted `plan`, and to no other', async () => {
    const [granted, alsoGranted, withoutPlan, expired, deleted] = await Promise.all([
      newClient(),
      newClient(),
      newClient(),
      newClient(),
      newClient(),
    ]);
    const subscriber = await client.newAccount('notice-subscriber');
    const someoneElse = await client.newAccount('notice-other');
    await grant(subscriber.id, granted.clientId, 'openid email plan');
    await grant(subscriber.id, alsoGranted.clientId, 'openid plan offline_access');
    await grant(subscriber.id, withoutPlan.clientId, 'openid email');
    await grant(subscriber.id, expired.clientId, 'openid plan', -60);
    await grant(subscriber.id, deleted.clientId, 'openid plan');
    await grant(someoneElse.id, withoutPlan.clientId, 'openid plan');
    const removed = await client.call(
      'DELETE',
      `/v1/organizations/${deleted.organizationId}/oidc-clients/${deleted.clientId}`,
      {
        credential: deleted.token,
      },
    );
    expect(removed.status).toBe(204);

    await subscriptionStarted(subscriber.id);

    const notices = await noticesFor(subscriber.id);
    expect(notices.map((notice) => notice['clientId']).sort()).toEqual(
      [granted.clientId, alsoGranted.clientId].sort(),
    );
    expect(notices.find((notice) => notice['clientId'] === granted.clientId)).toEqual({
      organizationId: granted.organizationId,
      serviceId: granted.serviceId,
      clientId: granted.clientId,
      sub: subscriber.id,
      // Identity has no subscription row for this made-up event: the notice carries the plan as it is now.
      plan: { tier: 'free', status: 'none', period_end: null, cancel_at_period_end: false },
      cause: 'subscription.started',
      changedAt: expect.any(String),
    });
    expect(await noticesFor(someoneElse.id)).toEqual([]);
  });

  it('send nothing for a subscriber who signed in to no app', async () => {
    const subscriber = await client.newAccount('notice-nobody');

    await subscriptionStarted(subscriber.id);

    expect(await noticesFor(subscriber.id)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@onecommons/testing';
import * as client from 'openid-client';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
import { call, newAccount, type TestAccount } from './gateway-client.js';
import { discover, newRegisteredApp, type RegisteredApp, signedIn } from './oidc-fixtures.js';

// How an app combines "Sign in with OneCommons" with webhooks: it keys its user by the ID token's `sub`, and
// its operator's webhook endpoint hears that subscriber's plan changes (docs/sign-in-with-onecommons.md).

const PLAN_CHANGED = 'onecommons.identity.app-user.plan-changed.v1';

let receiver: WebhookReceiver;
let app: RegisteredApp;
let subscriber: TestAccount;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  [app, subscriber] = await Promise.all([
    newRegisteredApp('plan-webhooks'),
    newAccount('plan-webhooks-user'),
  ]);
}, 120_000);

afterAll(async () => {
  await receiver.stop();
});

describe('an app hears its users’ plan changes by webhook', () => {
  it('delivers, signed, the new plan of a subscriber who signed in to the app and granted `plan`', async () => {
    const key = await call<{ key: string }>(
      'POST',
      `/api/identity/v1/organizations/${app.organizationId}/api-keys`,
      { credential: app.operator.token, body: { name: 'app webhooks', scopes: ['webhooks:manage'] } },
    );
    expect(key.status).toBe(201);
    const endpoint = await receiver.register(key.body.key, [PLAN_CHANGED]);
    expect(endpoint.status).toBe(201);

    // The subscriber signs in to the app (free), then subscribes to premium.
    const config = await discover(app);
    const tokens = await signedIn(config, app.redirectUri, subscriber);
    const sub = tokens.claims()?.sub;
    expect(tokens.claims()).toMatchObject({ plan: { tier: 'free' } });
    const subscribed = await call('POST', '/api/identity/v1/subscriptions', {
      credential: subscriber.token,
      body: { plan: 'premium', currency: 'EUR', paymentMethod: 'pm_card_visa' },
    });
    expect(subscribed.status).toBe(201);

    const delivery = await eventually(
      'the operator’s endpoint gets the plan change',
      async () => receiver.received.find((candidate) => candidate.body.includes(`"sub":"${sub}"`)),
      { timeoutMs: 90_000 },
    );
    const event = new Webhook(endpoint.body.secret).verify(
      delivery.body,
      delivery.headers as Record<string, string>,
    );
    expect(event).toMatchObject({
      type: PLAN_CHANGED,
      data: {
        organizationId: app.organizationId,
        serviceId: app.serviceId,
        clientId: app.clientId,
        sub,
        cause: 'subscription.started',
        plan: { tier: 'premium', status: 'active' },
      },
    });
    // What the webhook said, userinfo says too.
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, sub ?? '');
    expect(userinfo['plan']).toMatchObject({ tier: 'premium', status: 'active' });
  }, 150_000);
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '@onecommons/testing';
import { Webhook } from 'standardwebhooks';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
import { call, newAccount, newOrganization, type TestAccount } from './gateway-client.js';

// A partner system receives the platform's events: its key registers an endpoint through the gateway,
// catalog's real event reaches a real local receiver, signed (`./dev` lets webhooks reach 127.0.0.1).

const APP_REGISTERED = 'onecommons.catalog.app.registered.v1';

let receiver: WebhookReceiver;
let developer: TestAccount;
let developerOrg: string;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  developer = await newAccount('integrator');
  developerOrg = await newOrganization(developer, 'developer');
});

afterAll(async () => {
  await receiver.stop();
});

describe('webhooks through the gateway', () => {
  it('deliver a catalog event, signed, to the endpoint an organization registered with its key', async () => {
    const key = await call<{ key: string }>(
      'POST',
      `/api/identity/v1/organizations/${developerOrg}/api-keys`,
      {
        credential: developer.token,
        body: { name: 'webhooks', scopes: ['webhooks:manage'] },
      },
    );
    expect(key.status).toBe(201);
    const types = await call<{ items: { type: string }[] }>('GET', '/api/webhooks/v1/event-types');
    expect(types.body.items.map((item) => item.type)).toContain(APP_REGISTERED);
    const endpoint = await receiver.register(key.body.key, [APP_REGISTERED]);
    expect(endpoint.status).toBe(201);

    const app = await call<{ id: string }>('POST', `/api/catalog/v1/organizations/${developerOrg}/apps`, {
      credential: developer.token,
      body: { name: `Wiki ${randomUUID()}`, repositoryUrl: 'https://codeberg.org/wiki/wiki', license: 'MIT' },
    });
    expect(app.status).toBe(201);
    const request = await eventually('the receiver gets the app.registered webhook', async () =>
      receiver.received.find((candidate) => candidate.body.includes(app.body.id)),
    );
    const event = new Webhook(endpoint.body.secret).verify(
      request.body,
      request.headers as Record<string, string>,
    );
    expect(event).toMatchObject({
      type: APP_REGISTERED,
      data: { appId: app.body.id, organizationId: developerOrg },
    });

    const log = await eventually('the delivery log shows the success', async () => {
      const answer = await call<{ items: { status: string; webhookId: string }[] }>(
        'GET',
        `/api/webhooks/v1/endpoints/${endpoint.body.id}/deliveries`,
        { credential: key.body.key },
      );
      return answer.body.items.find((item) => item.status === 'succeeded');
    });
    expect(log.webhookId).toBe(request.headers['webhook-id']);
  });
});

import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import {
  type Answer,
  call,
  newAccount,
  newOrganization,
  platformAdmin,
  type TestAccount,
  requestServiceKey,
} from './gateway-client.js';

// An outsider signs up, founds an operator organization, runs a service of its own and gets its key, then
// tries to steer usage (and so money) through the gateway (#18). Every attempt is refused with a code, and
// nothing is counted.

const stack = testStack();
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
const CATALOG = '/api/catalog/v1';
const METERING = '/api/metering/v1';
const SINGLE = 'application/cloudevents+json';
const BATCH = 'application/cloudevents-batch+json';

interface OperatedService {
  readonly organizationId: string;
  readonly serviceId: string;
  readonly apiKey: string;
}

let admin: TestAccount;
let victim: OperatedService;
let outsider: OperatedService & { readonly account: TestAccount };
/** A subscriber of the victim's service, with usage already counted. */
let user: TestAccount;
/** Another of its subscribers, whose events the outsider tries to shadow. */
let shadowed: TestAccount;

/** Sends CloudEvents through the gateway (waiting out its 429s like a well-behaved client). */
async function report(
  apiKey: string,
  body: unknown,
  contentType = SINGLE,
): Promise<Answer & { retryAfter: string | null }> {
  for (let attempt = 1; ; attempt += 1) {
    const response = await fetch(`${stack.gatewayUrl}${METERING}/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 429 || attempt >= 6)
      return {
        status: response.status,
        body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
        retryAfter: response.headers.get('retry-after'),
      };
    await sleep(1_000);
  }
}

function usage(serviceId: string, subject: string, data: Record<string, unknown> = {}) {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: '/app/usage',
    type: 'onecommons.usage.v1',
    subject,
    time: new Date().toISOString(),
    data: { service: serviceId, meter: 'active_seconds', quantity: 60, ...data },
  };
}

/** What metering counted for a subscriber, per service, as an admin reads it. */
async function countedFor(
  subscriber: string,
): Promise<{ service: string; meter: string; quantity: string }[]> {
  const read = await call<{ items: { service: string; meter: string; quantity: string }[] }>(
    'GET',
    `${METERING}/usage?subscriber=${subscriber}`,
    { credential: admin.token },
  );
  expect(read.status).toBe(200);
  return read.body.items;
}

async function operatedService(account: TestAccount, appId: string): Promise<OperatedService> {
  const organizationId = await newOrganization(account, 'operator');
  const service = await call<{ id: string }>('POST', `${CATALOG}/organizations/${organizationId}/services`, {
    credential: account.token,
    body: { appId, type: 'abuse-web', domain: `abuse-${randomUUID().slice(0, 8)}.example.org` },
  });
  expect(service.status).toBe(201);
  const key = await requestServiceKey(organizationId, account.token, service.body.id);
  expect(key.status).toBe(201);
  return { organizationId, serviceId: service.body.id, apiKey: key.body.key };
}

beforeAll(async () => {
  admin = await platformAdmin();
  for (const [path, body] of [
    [`${CATALOG}/service-types/abuse-web`, { providerBps: 3000, developerBps: 2000 }],
    [`${CATALOG}/meters/active_seconds`, { weight: '1', unit: 'second', bound: { per: 'second', max: '1' } }],
  ] as const)
    expect((await call('PUT', path, { credential: admin.token, body })).status).toBe(200);
  const developer = await newAccount('abuse-developer');
  const developerOrg = await newOrganization(developer, 'developer');
  const app = await call<{ id: string }>('POST', `${CATALOG}/organizations/${developerOrg}/apps`, {
    credential: developer.token,
    body: { name: `Abused app ${randomUUID()}`, repositoryUrl: 'https://codeberg.org/x/app', license: 'MIT' },
  });
  expect(app.status).toBe(201);
  victim = await operatedService(await newAccount('abuse-victim'), app.body.id);
  const outsiderAccount = await newAccount('abuse-outsider');
  outsider = { ...(await operatedService(outsiderAccount, app.body.id)), account: outsiderAccount };
  user = await newAccount('abuse-user');
  shadowed = await newAccount('abuse-shadowed');
  await eventually('metering knows both services, the meter and the users', async () => {
    const { rows } = await database.query<{ services: number; users: number; meters: number }>(
      `SELECT (SELECT count(*)::int FROM metering.services WHERE service_id = ANY($1::uuid[])) AS services,
              (SELECT count(*)::int FROM metering.subscribers WHERE subscriber_id = ANY($2::uuid[])) AS users,
              (SELECT count(*)::int FROM metering.meters WHERE name = 'active_seconds' AND bound_max = 1) AS meters`,
      [
        [victim.serviceId, outsider.serviceId],
        [user.id, shadowed.id],
      ],
    );
    return rows[0]?.services === 2 && rows[0].users === 2 && rows[0].meters === 1 ? true : undefined;
  });
  const used = usage(victim.serviceId, user.id, { quantity: 600 });
  expect(await report(victim.apiKey, used)).toMatchObject({ status: 202, body: { status: 'accepted' } });
}, 120_000);

afterAll(async () => {
  await database.end();
});

const victimsUsage = () => [{ service: victim.serviceId, meter: 'active_seconds', quantity: '600' }];

describe('an outsider with an operator organization of its own', () => {
  it('cannot report for a service it does not operate, whatever key it holds', async () => {
    // Its own service's key, naming the victim's service.
    const forged = usage(victim.serviceId, user.id, { quantity: 3_000 });
    expect(await report(outsider.apiKey, forged)).toMatchObject({
      status: 403,
      body: { error: { code: 'service_not_allowed', field: 'data.service' } },
    });
    expect(await report(outsider.apiKey, [forged], BATCH)).toMatchObject({
      status: 200,
      body: { accepted: 0, rejected: 1, results: [{ status: 'rejected', code: 'service_not_allowed' }] },
    });
    // A key of its organization bound to the victim's service: identity should not issue it; if it does,
    // metering refuses what it reports, since the outsider's organization does not operate the service.
    const key = await call<{ key: string }>(
      'POST',
      `/api/identity/v1/organizations/${outsider.organizationId}/api-keys`,
      {
        credential: outsider.account.token,
        body: { name: 'borrowed', scopes: ['metering:write'], serviceId: victim.serviceId },
      },
    );
    if (key.status === 201)
      expect(await report(key.body.key, forged)).toMatchObject({
        status: 403,
        body: { error: { code: 'service_not_operated', field: 'data.service' } },
      });
    else expect(key.status).toBeGreaterThanOrEqual(400);
    expect(await countedFor(user.id)).toEqual(victimsUsage());
  });

  it('can neither shadow nor learn of another service’s events by reusing their source and id', async () => {
    const counted = usage(victim.serviceId, shadowed.id, { quantity: 600 });
    expect(await report(victim.apiKey, counted)).toMatchObject({ status: 202, body: { status: 'accepted' } });
    // A copy of the victim's counted event is not a "duplicate" for the outsider: it learns nothing of it…
    const copy = { ...counted, data: { ...counted.data, service: outsider.serviceId, quantity: 0 } };
    expect(await report(outsider.apiKey, copy)).toMatchObject({ status: 202, body: { status: 'accepted' } });
    // …and the victim's next event, sent first by the outsider for its own service, still counts for the victim.
    const next = usage(victim.serviceId, shadowed.id, { quantity: 30 });
    const shadow = { ...next, data: { ...next.data, service: outsider.serviceId, quantity: 0 } };
    expect(await report(outsider.apiKey, shadow)).toMatchObject({
      status: 202,
      body: { status: 'accepted' },
    });
    expect(await report(victim.apiKey, next)).toMatchObject({ status: 202, body: { status: 'accepted' } });
    expect(await report(victim.apiKey, counted)).toMatchObject({
      status: 202,
      body: { status: 'duplicate' },
    });
    expect(await countedFor(shadowed.id)).toEqual(
      [
        { service: victim.serviceId, meter: 'active_seconds', quantity: '630' },
        { service: outsider.serviceId, meter: 'active_seconds', quantity: '0' },
      ].sort((left, right) => (left.service < right.service ? -1 : 1)),
    );
  });

  it('cannot report implausible usage: 10^15 active seconds, or more seconds than the month has', async () => {
    for (const quantity of ['1000000000000000', 31 * 86_400 + 1])
      expect(await report(outsider.apiKey, usage(outsider.serviceId, user.id, { quantity }))).toMatchObject({
        status: 400,
        body: { error: { code: 'implausible_quantity', field: 'data.quantity' } },
      });
    expect(await countedFor(user.id)).toEqual(victimsUsage());
  });

  it('cannot report usage of someone who is not a subscriber: retryable, never counted', async () => {
    const nobody = randomUUID();
    const single = await report(outsider.apiKey, usage(outsider.serviceId, nobody));
    expect(single).toMatchObject({
      status: 409,
      body: { error: { code: 'unknown_subscriber', field: 'subject' } },
    });
    expect(Number(single.retryAfter)).toBeGreaterThan(0);
    expect(await report(outsider.apiKey, [usage(outsider.serviceId, nobody)], BATCH)).toMatchObject({
      status: 200,
      body: { accepted: 0, rejected: 1, results: [{ code: 'unknown_subscriber', retryable: true }] },
    });
    expect(await countedFor(nobody)).toEqual([]);
  });

  it('cannot read the entitlements of another service’s user', async () => {
    const read = (credential: string) => call('GET', `${METERING}/entitlements/${user.id}`, { credential });
    expect(await read(outsider.apiKey)).toMatchObject({
      status: 404,
      body: { error: { code: 'not_a_user_of_service' } },
    });
    expect(await read(victim.apiKey)).toMatchObject({ status: 200, body: { subscriber: user.id } });
    expect(await read(user.token)).toMatchObject({ status: 200, body: { subscriber: user.id } });
  });
});

describe('a key its organization revoked', () => {
  it('is refused through the gateway from the very next request, though metering had it cached', async () => {
    const issued = await requestServiceKey(
      outsider.organizationId,
      outsider.account.token,
      outsider.serviceId,
    );
    expect(issued.status).toBe(201);
    // Authenticated (so metering keeps identity's answer), refused for the unknown subject: nothing counted.
    const nobody = randomUUID();
    for (let request = 0; request < 2; request += 1)
      expect((await report(issued.body.key, usage(outsider.serviceId, nobody))).status).toBe(409);
    const revoked = await call(
      'DELETE',
      `/api/identity/v1/organizations/${outsider.organizationId}/api-keys/${issued.body.id}`,
      { credential: outsider.account.token },
    );
    expect(revoked.status).toBe(200);
    expect(await report(issued.body.key, usage(outsider.serviceId, nobody))).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_api_key' } },
    });
    // The organization's other key, cached before, still reports.
    expect((await report(outsider.apiKey, usage(outsider.serviceId, nobody))).status).toBe(409);
  });
});

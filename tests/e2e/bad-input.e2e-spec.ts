import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { testStack } from '@onecommons/testing';
import fc from 'fast-check';
import pg from 'pg';
import { forgedCredentials } from './forged-credentials.js';
import {
  call,
  newOperatedService,
  newOrganization,
  platformAdmin,
  requestServiceKey,
  serviceEnvironmentValue,
} from './gateway-client.js';
import {
  type Callers,
  type HostileRequest,
  hostileRequests,
  type UndocumentedBody,
} from './hostile-requests.js';
import { type JsonSchema, type Operation, publicOperations } from './openapi-operations.js';
import {
  databaseSnapshot,
  eventsSince,
  leakedSecrets,
  logOffsets,
  logsSince,
  outboxHeads,
  servicePids,
  signingKeySecrets,
  STACK_TRACE,
  stackSecrets,
} from './stack-witness.js';
import { loopbackAddressOf, SUITE_ADDRESS, suiteFetch } from './suite-address.js';

/**
 * Issue #12: generated malformed and hostile requests against every public endpoint, read from the
 * gateway's OpenAPI documents at run time. Each request is wrong in exactly one part (credentials, a path
 * or query parameter, or one field of an otherwise valid body); each must get a 4xx in the error shape,
 * naming the broken body field, with no stack trace or secret. Around the run: nothing was written, no
 * service restarted, and the services' logs hold no stack trace and no secret.
 */

const stack = testStack();
/** Requests per operation, spread over its ways of being wrong (each sampled at least once). */
const RUNS = Number(process.env['BAD_INPUT_RUNS'] ?? 20);
const SEED = Number(process.env['BAD_INPUT_SEED'] ?? Date.now() % 2 ** 31);
/** Under the gateway's 50 requests/s per address, so the answers are the services', not 429s. */
const MIN_INTERVAL_MS = 22;
/**
 * The suite's loopback addresses, each paced on its own under the gateway's limit per client. The services'
 * own limit per principal (6,000 requests a minute) stays above the whole suite's 2,875 or so.
 */
const SENDERS = [
  SUITE_ADDRESS,
  ...[2, 3, 4].map((n) => loopbackAddressOf(`${SUITE_ADDRESS}:sender ${n}`)),
].map((address) => ({ address, lastSent: 0 }));
/** Requests in flight at once: latency, not the pace, bounds a sequential run on a busy machine. */
const IN_FLIGHT = 4 * SENDERS.length;

const operations = await publicOperations(stack.gatewayUrl);
const METER = 'bad_input_seconds';
const SCHEMAS = Object.keys(stack.services);
/**
 * Columns a rejected request may still change: the last use of the API key the suite calls with (identity
 * stamps it on every successful check, before the endpoint refuses the input).
 */
const VOLATILE_COLUMNS = { 'identity.api_keys': ['last_used_at'] };
/**
 * What the clock, not a request, writes while the suite runs: when earlier suites left deployments running,
 * the provisioner reports their resource usage every minute (its report and event) and the ledger projects
 * it. Any other event committed during the run is a write; so is any change to another table.
 */
const TIME_DRIVEN_EVENTS = ['provisioner: onecommons.provisioner.resource-usage.reported.v1'];
const TIME_DRIVEN_TABLES = [
  'provisioner.resource_usage_reports',
  'provisioner.outbox',
  'ledger.provider_resource_points',
  'ledger.processed_events',
];

let admin: pg.Pool;
let callers: Callers;
let secrets: Map<string, string>;
let undocumented: Record<string, UndocumentedBody>;
let before: {
  snapshot: Record<string, string>;
  outbox: Record<string, number>;
  pids: Record<string, number>;
  logs: Record<string, number>;
};
let sent = 0;
let started = 0;

/** Waits until no service writes anything any more (outbox relayed, events consumed), then snapshots. */
async function quietSnapshot(): Promise<Record<string, string>> {
  let previous = await databaseSnapshot(admin, SCHEMAS, VOLATILE_COLUMNS);
  for (let attempt = 0; attempt < 40; attempt += 1) {
    await sleep(1_500);
    const next = await databaseSnapshot(admin, SCHEMAS, VOLATILE_COLUMNS);
    if (JSON.stringify(next) === JSON.stringify(previous)) return next;
    previous = next;
  }
  throw new Error('the services kept writing for 60 s after the seed');
}

async function apiKey(organizationId: string, token: string, scopes: string[], serviceId?: string) {
  const created = serviceId
    ? await requestServiceKey(organizationId, token, serviceId, scopes)
    : await call<{ id: string; key: string }>(
        'POST',
        `/api/identity/v1/organizations/${organizationId}/api-keys`,
        {
          credential: token,
          body: { name: `bad-input ${scopes.join(' ')}`, scopes },
        },
      );
  expect(created.status).toBe(201);
  return created.body;
}

beforeAll(async () => {
  admin = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 2 });
  const platform = await platformAdmin();
  const organizationId = await newOrganization(platform, 'operator');
  const serviceId = await newOperatedService(platform, organizationId);
  const metering = await apiKey(organizationId, platform.token, ['metering:write'], serviceId);
  const webhooks = await apiKey(organizationId, platform.token, ['webhooks:manage']);
  const revoked = await apiKey(organizationId, platform.token, ['metering:write'], serviceId);
  const revoke = await call(
    'DELETE',
    `/api/identity/v1/organizations/${organizationId}/api-keys/${revoked.id}`,
    {
      credential: platform.token,
    },
  );
  expect(revoke.status).toBeLessThan(300);
  const endpoint = await call<{ secret: string }>('POST', '/api/webhooks/v1/endpoints', {
    credential: webhooks.key,
    body: { url: 'http://127.0.0.1:9/bad-input', eventTypes: ['onecommons.catalog.agreement.made.v1'] },
  });
  expect(endpoint.status).toBe(201);
  callers = {
    accessToken: platform.token,
    apiKey: metering.key,
    forged: await forgedCredentials(platform.token, revoked.key),
    wrongKind: {
      accessToken: { how: 'an API key where an access token is required', value: metering.key },
      apiKey: { how: 'an access token where an API key is required', value: platform.token },
    },
  };
  // A meter metering knows (from catalog's event), so a usage event broken in one field fails for that field.
  const meter = await call('PUT', `/api/catalog/v1/meters/${METER}`, {
    credential: platform.token,
    body: { weight: 1 },
  });
  expect(meter.status).toBeLessThan(300);
  undocumented = undocumentedBodies(serviceId);
  secrets = new Map([
    ...stackSecrets(stack),
    ...(await signingKeySecrets(admin, serviceEnvironmentValue('identity', 'IDENTITY_KEY_ENCRYPTION_KEY'))),
    [metering.key, 'metering API key'],
    [webhooks.key, 'webhooks API key'],
    [revoked.key, 'revoked API key'],
    [endpoint.body.secret, 'webhook endpoint secret'],
    [platform.token, "the admin's access token"],
  ]);
  const snapshot = await quietSnapshot();
  before = {
    snapshot,
    outbox: await outboxHeads(admin, SCHEMAS),
    pids: servicePids(stack),
    logs: logOffsets(stack),
  };
  started = Date.now();
});

afterAll(async () => {
  await admin?.end();
});

/** Bodies the OpenAPI documents leave undescribed: metering's CloudEvents and Stripe's signed webhooks. */
function undocumentedBodies(serviceId: string): Record<string, UndocumentedBody> {
  const uuid: JsonSchema = { type: 'string', format: 'uuid' };
  const usageEvent: JsonSchema = {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', minLength: 1, maxLength: 256 },
      source: { type: 'string', minLength: 1, maxLength: 1_024, pattern: '^\\S+$' },
      type: { enum: ['onecommons.usage.v1'] },
      subject: uuid,
      time: { const: new Date().toISOString() },
      data: {
        type: 'object',
        required: ['service', 'meter', 'quantity'],
        properties: {
          service: { const: serviceId },
          meter: { const: METER },
          quantity: {
            anyOf: [
              { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
              { type: 'string', pattern: '^(0|[1-9]\\d{0,17})$' },
            ],
          },
        },
      },
    },
  };
  const now = Math.floor(Date.now() / 1_000);
  const forgedSignature = `t=${now},v1=${createHmac('sha256', 'not the secret').update('x').digest('hex')}`;
  return {
    Ingest_ingest: { contentType: 'application/cloudevents+json', schema: usageEvent },
    Payments_stripeWebhook: {
      contentType: 'application/json',
      schema: {
        type: 'object',
        required: ['id', 'type'],
        properties: { id: { type: 'string' }, type: { type: 'string' } },
      },
      headers: { 'stripe-signature': forgedSignature },
      namesFields: false,
    },
    // Payouts' Connect webhook (account.updated): signed like identity's, with another endpoint's secret.
    StripeWebhook_connectWebhook: {
      contentType: 'application/json',
      schema: {
        type: 'object',
        required: ['id', 'type', 'account'],
        properties: {
          id: { type: 'string' },
          type: { const: 'account.updated' },
          account: { type: 'string' },
        },
      },
      headers: { 'stripe-signature': forgedSignature },
      namesFields: false,
    },
  };
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one request through the gateway, paced under its rate limit; a 429 is waited out and retried. */
async function send(request: HostileRequest): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    // Reserve the earliest next slot of a sender before waiting, so concurrent requests keep each sender's pace.
    const sender = SENDERS.reduce((earliest, each) => (each.lastSent < earliest.lastSent ? each : earliest));
    sender.lastSent = Math.max(Date.now(), sender.lastSent + MIN_INTERVAL_MS);
    await sleep(sender.lastSent - Date.now());
    sent += 1;
    const response = await suiteFetch(`${stack.gatewayUrl}${request.target}`, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      localAddress: sender.address,
    });
    const text = await response.text();
    // The gateway's 429 (Retry-After: 1) is the suite's pace, not the answer; a service's own limit is one.
    const retryAfter = Number(response.headers.get('retry-after')) || 1;
    if (response.status !== 429 || retryAfter > 2 || attempt >= 5)
      return { status: response.status, headers: response.headers, text };
    await sleep(retryAfter * 1_000);
  }
}

const bodyExcerpt = (body: HostileRequest['body']) =>
  body === undefined
    ? ''
    : JSON.stringify(typeof body === 'string' ? body.slice(0, 300) : `${body.length} bytes`);

/** What is wrong with an answer to a hostile request, if anything. */
function problemsWith(request: HostileRequest, answer: Answer): string[] {
  const problems: string[] = [];
  if (answer.status < 400 || answer.status > 499) problems.push(`status ${answer.status}`);
  let error: { code?: unknown; field?: unknown } | undefined;
  try {
    error = (JSON.parse(answer.text) as { error?: { code?: unknown; field?: unknown } }).error;
  } catch {
    problems.push('body is not JSON');
  }
  if (typeof error?.code !== 'string' || error.code === '') problems.push('no error code');
  // Login is rate limited before its body is read (the limits count by the body's email): a 429 is an answer.
  const rateLimited = answer.status === 429 && error?.code === 'rate_limited';
  if (request.fieldRequired && !rateLimited && error?.field !== request.field)
    problems.push(`field ${String(error?.field)}, expected ${request.field}`);
  else if (
    error?.code === 'validation_failed' &&
    request.field !== undefined &&
    error.field !== request.field
  )
    problems.push(`field ${String(error.field)}, expected ${request.field}`);
  const exposed = `${[...answer.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${answer.text}`;
  if (STACK_TRACE.test(exposed)) problems.push('stack trace or path in the answer');
  const leaks = leakedSecrets(exposed, secrets, request.credential);
  if (leaks.length > 0) problems.push(`leaks ${leaks.join(', ')}`);
  return problems;
}

describe('bad input through the gateway', () => {
  it('finds the operations of every service', () => {
    expect(new Set(operations.map((operation) => operation.service))).toEqual(new Set(SCHEMAS));
    expect(operations.length).toBeGreaterThan(50);
  });

  it.each(operations.map((operation) => [`${operation.method} ${operation.path}`, operation] as const))(
    '%s answers every hostile request with a 4xx naming what is wrong',
    async (_name, operation: Operation) => {
      const arbitraries = hostileRequests(operation, callers, undocumented[operation.id]);
      // A public endpoint without input: nothing can be wrong with a request to it.
      if (arbitraries.length === 0) return expect(operation.method).toBe('GET');
      const samples = arbitraries.flatMap((arbitrary, index) =>
        fc.sample(arbitrary, {
          numRuns: Math.ceil(RUNS / arbitraries.length),
          seed: SEED + index,
        }),
      );
      // Service-to-service endpoints are documented, but the gateway answers for them (404): no field is named.
      const internal = /\/v\d+\/internal\//.test(operation.path);
      const failures = new Map<string, string>();
      const check = async (generated: HostileRequest) => {
        const request = internal ? { ...generated, field: undefined, fieldRequired: false } : generated;
        const answer = await send(request);
        const problems = problemsWith(request, answer);
        if (problems.length > 0)
          failures.set(
            `${request.part}: ${request.how.slice(0, 120)}`,
            `${problems.join('; ')} — ${answer.status} ${answer.text.slice(0, 200)} — sent ${request.method} ${request.target.slice(0, 200)} ${bodyExcerpt(request.body)}`,
          );
      };
      for (let index = 0; index < samples.length; index += IN_FLIGHT)
        await Promise.all(samples.slice(index, index + IN_FLIGHT).map(check));
      expect({ seed: SEED, failures: Object.fromEntries(failures) }).toEqual({ seed: SEED, failures: {} });
    },
  );

  it('wrote nothing', async () => {
    const after = await quietSnapshot();
    const events = await eventsSince(admin, before.outbox);
    const changed = Object.keys(after).filter(
      (table) => after[table] !== before.snapshot[table] && !TIME_DRIVEN_TABLES.includes(table),
    );
    expect(events.filter((event) => !TIME_DRIVEN_EVENTS.includes(event))).toEqual([]);
    expect(
      Object.fromEntries(changed.map((table) => [table, `${before.snapshot[table]} → ${after[table]}`])),
    ).toEqual({});
  });

  it('crashed no service', async () => {
    for (const [service, { url }] of Object.entries(stack.services)) {
      const live = await fetch(`${url}/health/live`);
      expect({ service, status: live.status }).toEqual({ service, status: 200 });
    }
    expect(servicePids(stack)).toEqual(before.pids);
  });

  it('logged no stack trace and no secret', () => {
    const findings = Object.entries(logsSince(stack, before.logs)).flatMap(([service, text]) =>
      text
        .split('\n')
        .filter((line) => STACK_TRACE.test(line) || leakedSecrets(line, secrets).length > 0)
        .map((line) => `${service}: ${line.slice(0, 400)}`),
    );
    console.log(
      `bad input: ${sent} requests to ${operations.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`,
    );
    expect(findings).toEqual([]);
  });
});

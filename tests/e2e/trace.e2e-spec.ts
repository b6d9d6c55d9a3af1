import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS, UsageRecordedV2 } from '@onecommons/contracts';
import { eventually, testStack } from '@onecommons/testing';
import pg from 'pg';
import {
  call,
  newAccount,
  newOperatedService,
  newOrganization,
  platformAdmin,
  requestServiceKey,
  type TestAccount,
} from './gateway-client.js';
import { OtlpReceiver, type ReceivedSpan, SPAN_KIND } from './otlp-receiver.js';
import { suiteFetch } from './suite-address.js';

// One usage event, sent through the gateway with a W3C traceparent, is followed in the spans the services export
// (the test profile points their OTLP exporters at this file's receiver): metering's request, identity's check of
// the service's API key, the creation of its UsageRecorded in the outbox, the relay's send, the ledger's
// consumption and its projection's update, all in the caller's trace and linked parent to child into one tree.

const stack = testStack();
const database = new pg.Pool({ connectionString: stack.postgresAdminUrl, max: 1 });
const METER = 'traced_seconds';

let receiver: OtlpReceiver;
let subscriber: TestAccount;
let serviceId: string;
let serviceKey: string;

beforeAll(async () => {
  if (!stack.traceCollectorUrl)
    throw new Error('the test stack exports no spans (traceCollectorUrl is not set)');
  receiver = await OtlpReceiver.listen(stack.traceCollectorUrl);
  const admin = await platformAdmin();
  const meter = await call('PUT', `/api/catalog/v1/meters/${METER}`, {
    credential: admin.token,
    body: { weight: '1', unit: 'second', bound: { per: 'second', max: '1' } },
  });
  expect(meter.status).toBe(200);
  const operator = await newAccount('trace-operator');
  const operators = await newOrganization(operator, 'operator');
  serviceId = await newOperatedService(operator, operators);
  const key = await requestServiceKey(operators, operator.token, serviceId);
  expect(key.status).toBe(201);
  serviceKey = key.body.key;
  subscriber = await newAccount('trace-subscriber');
  await eventually('metering knows the service, the meter and the subscriber', async () => {
    const { rows } = await database.query<{ known: boolean }>(
      `SELECT EXISTS (SELECT FROM metering.services WHERE service_id = $1)
              AND EXISTS (SELECT FROM metering.subscribers WHERE subscriber_id = $2)
              AND EXISTS (SELECT FROM metering.meters WHERE name = $3) AS known`,
      [serviceId, subscriber.id, METER],
    );
    return rows[0]?.known ? true : undefined;
  });
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await database.end();
});

/** The spans from `span` up to the root of its trace, `span` first. */
function ancestry(span: ReceivedSpan, spans: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(spans.map((each) => [each.spanId, each]));
  const path = [span];
  for (let parent = byId.get(span.parentSpanId); parent; parent = byId.get(parent.parentSpanId))
    path.push(parent);
  return path;
}

const describeSpan = (span: ReceivedSpan) => `${span.service} "${span.name}" (${span.spanId})`;

describe('tracing', () => {
  it("follows one usage event from the HTTP request through Kafka to the ledger's projection, in one tree", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpanId = randomBytes(8).toString('hex');
    const response = await suiteFetch(`${stack.gatewayUrl}/api/metering/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents+json',
        authorization: `Bearer ${serviceKey}`,
        traceparent: `00-${traceId}-${callerSpanId}-01`,
      },
      body: JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        source: '/trace-test',
        type: 'onecommons.usage.v1',
        subject: subscriber.id,
        time: new Date().toISOString(),
        data: { service: serviceId, meter: METER, quantity: 60 },
      }),
    });
    expect(response.status).toBe(202);

    const topic = TOPICS.meteringUsage.name;
    // Each service exports every few seconds: wait until every link of the chain, and every span's parent, arrived.
    const chain = await eventually(
      "the usage event's spans, from metering's request to the ledger's projection",
      async () => {
        const spans = receiver.ofTrace(traceId);
        const find = (what: string, test: (span: ReceivedSpan) => boolean) => {
          const found = spans.find(test);
          if (!found) throw new Error(`no ${what} among ${spans.map(describeSpan).join(', ') || 'no spans'}`);
          return found;
        };
        const request = find("metering's request span, child of the caller's", (span) => {
          return (
            span.service === 'metering' &&
            span.kind === SPAN_KIND.server &&
            span.parentSpanId === callerSpanId
          );
        });
        const created = find(`metering's "${topic} create" span`, (span) => {
          return (
            span.service === 'metering' && span.kind === SPAN_KIND.producer && span.name === `${topic} create`
          );
        });
        const consumed = find("the ledger's consumer span, child of the creation", (span) => {
          return (
            span.service === 'ledger' &&
            span.kind === SPAN_KIND.consumer &&
            span.parentSpanId === created.spanId
          );
        });
        const projected = find(
          "the ledger's usage_quantities statement, child of its consumer span",
          (span) => {
            const statement = String(span.attributes['db.query.text'] ?? '');
            return (
              span.parentSpanId === consumed.spanId && statement.includes('INSERT INTO usage_quantities')
            );
          },
        );
        // The service key is new: metering asks identity about it, and identity's side joins the trace.
        const keyCheck = find("metering's call to identity, a CLIENT span", (span) => {
          return (
            span.service === 'metering' && span.kind === SPAN_KIND.client && span.name.startsWith('POST ')
          );
        });
        const answered = find("identity's request span, child of metering's call", (span) => {
          return (
            span.service === 'identity' &&
            span.kind === SPAN_KIND.server &&
            span.parentSpanId === keyCheck.spanId
          );
        });
        const sent = receiver.spans.find(
          (span) =>
            span.service === 'metering' &&
            span.links.some((link) => link.traceId === traceId && link.spanId === created.spanId),
        );
        if (!sent) throw new Error("no relay send span linked to metering's creation span");
        const ids = new Set(spans.map((span) => span.spanId));
        const orphans = spans.filter((span) => span !== request && !ids.has(span.parentSpanId));
        if (orphans.length > 0)
          throw new Error(`spans whose parent is missing: ${orphans.map(describeSpan).join(', ')}`);
        return { spans, request, created, consumed, projected, sent, keyCheck, answered };
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    expect(chain.request.attributes['http.route']).toBe('/api/metering/v1/events');
    expect(chain.request.attributes['http.response.status_code']).toBe(202);
    expect(ancestry(chain.created, chain.spans).at(-1)).toBe(chain.request);
    expect(ancestry(chain.projected, chain.spans).map((span) => span.service)).toEqual([
      'ledger',
      'ledger',
      'metering',
      ...ancestry(chain.created, chain.spans)
        .slice(1)
        .map((span) => span.service),
    ]);
    expect(chain.consumed.attributes).toMatchObject({
      'messaging.destination.name': topic,
      'cloudevents.event_type': UsageRecordedV2.type,
    });
    expect(ancestry(chain.keyCheck, chain.spans).at(-1)).toBe(chain.request);
    expect(chain.answered.attributes['http.route']).toBe('/api/identity/v1/internal/api-keys/introspect');
    expect(chain.sent.kind).toBe(SPAN_KIND.client);
    expect(chain.sent.attributes['messaging.operation.type']).toBe('send');
    // One tree: the request is the only span whose parent (the caller's) is not in the trace.
    const ids = new Set(chain.spans.map((span) => span.spanId));
    expect(chain.spans.filter((span) => !ids.has(span.parentSpanId))).toEqual([chain.request]);
  });
});

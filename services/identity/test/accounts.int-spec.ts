import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TOPICS } from '@onecommons/contracts';
import {
  bullmqPrefixOf,
  OutboxMaintenanceScheduler,
  MAINTENANCE_QUEUE,
  PROCESSED_EVENTS_QUEUE,
  ProcessedEventsMaintenanceScheduler,
} from '@onecommons/service-kit';
import { eventually, startService, testStack, TopicProbe, type RunningService } from '@onecommons/testing';
import { QueueEvents } from 'bullmq';
import { identityService } from '../src/identity.definition.js';

let identity: RunningService;
let probe: TopicProbe;

beforeAll(async () => {
  identity = await startService(identityService);
  probe = await TopicProbe.start([TOPICS.identityEvents.name]);
});

afterAll(async () => {
  await probe.stop();
  await identity.stop();
});

const register = (body: unknown, contentType = 'application/json') =>
  fetch(`${identity.url}/api/identity/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const uniqueEmail = () => `member-${randomUUID()}@example.org`;

describe('POST /api/identity/v1/accounts', () => {
  it('stores the account, never the password, and publishes SubscriberRegistered v2 through the outbox', async () => {
    const email = uniqueEmail();
    const response = await register({
      email: `  ${email.toUpperCase()} `,
      password: 'correct horse battery',
    });
    expect(response.status).toBe(201);
    const account = (await response.json()) as { id: string; email: string; emailVerified: boolean };
    expect(account).toMatchObject({ email, emailVerified: false });

    const [row] = await identity.query<{ password_hash: string }>(
      'SELECT password_hash FROM accounts WHERE id = $1',
      [account.id],
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(row?.password_hash).not.toContain('correct horse');

    const [published] = await eventually('the event on identity.events.v1', async () => {
      const found = probe.matching((message) => message.key === account.id);
      return found.length > 0 ? found : undefined;
    });
    const event = JSON.parse(published?.value ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'onecommons.identity.subscriber.registered.v2',
      source: '/onecommons/identity',
      subject: account.id,
      data: { subscriberId: account.id, emailVerified: false },
    });
    expect(JSON.stringify(event)).not.toContain(email); // no personal data in the log
    expect(published?.headers['content-type']).toBe('application/cloudevents+json');
    expect(published?.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);

    const [outboxRow] = await identity.query<{ published_at: Date | null }>(
      'SELECT published_at FROM outbox WHERE message_key = $1',
      [account.id],
    );
    expect(outboxRow?.published_at).toBeInstanceOf(Date);
  });

  it('refuses a second account for the same address in another spelling, with 409 and no event', async () => {
    const email = uniqueEmail();
    expect((await register({ email, password: 'first passphrase' })).status).toBe(201);
    const again = await register({ email: email.toUpperCase(), password: 'second passphrase' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'email_unavailable', field: 'email' } });
    const rows = await identity.query('SELECT id FROM accounts WHERE email = $1', [email]);
    expect(rows).toHaveLength(1);
  });

  it.each([
    [{ email: 'not-an-address', password: 'long enough passphrase' }, 'email'],
    [{ email: 'a@example.org', password: 'short' }, 'password'],
    [{ email: 'a@example.org' }, 'password'],
    [{ email: 'a@example.org', password: 'long enough passphrase', admin: true }, 'admin'],
  ])('rejects %j with 400 naming the field %s, writing nothing', async (body, field) => {
    const before = await identity.query('SELECT count(*)::int AS n FROM outbox');
    const response = await register(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'validation_failed', field } });
    expect(await identity.query('SELECT count(*)::int AS n FROM outbox')).toEqual(before);
  });

  it('answers malformed JSON with 400 invalid_json', async () => {
    const response = await register('{"email": ', 'application/json');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });
});

describe('outbox maintenance', () => {
  it('runs as a BullMQ job through Redis and prunes only rows sent before the retention window', async () => {
    await identity.query(
      "UPDATE outbox SET published_at = now() - interval '400 days' WHERE published_at IS NOT NULL",
    );
    const [{ n: unsentBefore } = { n: 0 }] = await identity.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
    );
    const scheduler = identity.app.get(OutboxMaintenanceScheduler);
    const queueEvents = new QueueEvents(MAINTENANCE_QUEUE, {
      connection: { url: testStack().redisUrl },
      prefix: bullmqPrefixOf(undefined, identity.schema),
    });
    try {
      await queueEvents.waitUntilReady();
      const job = await scheduler.runNow();
      const result = (await job.waitUntilFinished(queueEvents, 30_000)) as { deleted: number };
      expect(result.deleted).toBeGreaterThan(0);
    } finally {
      await queueEvents.close();
    }
    const remaining = await identity.query<{ sent: number; unsent: number }>(
      'SELECT count(*) FILTER (WHERE published_at IS NOT NULL)::int AS sent, count(*) FILTER (WHERE published_at IS NULL)::int AS unsent FROM outbox',
    );
    expect(remaining).toEqual([{ sent: 0, unsent: unsentBefore }]);
  });
});

describe('processed-events maintenance', () => {
  it("runs as a BullMQ job through Redis and prunes only records past their topic's redelivery horizon", async () => {
    // identity.events.v1 has the test broker's defaults: 168 h retention and 7-day segments, so a lifetime of
    // 14 days; the horizon is 2 × 14 + 14 (its DLQ) = 42 days, plus the default margin of 24 h.
    const record = async (ageHours: number) => {
      const [row] = await identity.query<{ event_id: string }>(
        `INSERT INTO processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset, processed_at)
         VALUES ($1, gen_random_uuid(), 'onecommons.test.v1', $2, 0, 0, clock_timestamp() - make_interval(hours => $3))
         RETURNING event_id`,
        [identity.consumerGroup, TOPICS.identityEvents.name, ageHours],
      );
      if (!row) throw new Error('no record inserted');
      return row.event_id;
    };
    const past = await record(43 * 24 + 1);
    const within = await record(43 * 24 - 1);
    const scheduler = identity.app.get(ProcessedEventsMaintenanceScheduler);
    const queueEvents = new QueueEvents(PROCESSED_EVENTS_QUEUE, {
      connection: { url: testStack().redisUrl },
      prefix: bullmqPrefixOf(undefined, identity.schema),
    });
    try {
      await queueEvents.waitUntilReady();
      const job = await scheduler.runNow();
      const result = (await job.waitUntilFinished(queueEvents, 30_000)) as { complete: boolean };
      expect(result.complete).toBe(true);
    } finally {
      await queueEvents.close();
    }
    const left = await identity.query<{ event_id: string }>(
      'SELECT event_id FROM processed_events WHERE event_id = ANY($1::uuid[])',
      [[past, within]],
    );
    expect(left.map((row) => row.event_id)).toEqual([within]);
    const metrics = await (await fetch(`${identity.url}/metrics`)).text();
    const pruned = /^onecommons_processed_events_pruned_total(?:\{[^}]*\})? (\d+)$/m.exec(metrics)?.[1];
    expect(Number(pruned)).toBeGreaterThanOrEqual(1);
  });
});

import { createEvent, UsageCorrectedV1, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { type DataSource } from 'typeorm';
// The bench writes metering's rows with metering's own announcement code; a tool may not depend on a service otherwise.
/* eslint-disable onecommons/module-boundaries */
import { PeriodsRepository } from '@onecommons/metering/dist/src/periods/periods.repository.js';
import { UsageAnnouncements } from '@onecommons/metering/dist/src/periods/usage-announcements.js';
import {
  type UsageDelta,
  usageRecordedOf,
} from '@onecommons/metering/dist/src/periods/usage-recorded-events.js';
/* eslint-enable onecommons/module-boundaries */
import { BENCH_SUBSCRIBER_SQL, md5Uuid } from '../close-fixtures.js';
import { CATALOG, ROWS_PER_SUBSCRIBER } from '../close-population.js';
import { asRfcUuid } from './rfc-uuid.js';

/**
 * Fills a fresh metering schema with one month of usage, row for row as metering writes it (setup of
 * `./dev bench scale`): `usage_events` with their digests (the migration's `usage_event_digest`, which metering's
 * `eventDigest` agrees with), a share of them corrected (`usage_corrections`), the `usage_aggregates` they sum to,
 * and the outbox's UsageRecorded (metering's `usageRecordedOf` through `UsageAnnouncements`, one per ingest request
 * of `eventsPerRequest` events of one service, plus a UsageRecorded and a UsageCorrected per correction), marked
 * sent as the relay marks them.
 *
 * A subscriber's events fall on the same 10 (service, meter) pairs as the close bench's usage rows
 * (close-population.ts: the same catalog ids and the same hash formula), so metering's aggregates and the ledger's
 * `usage_quantities` have the same keys. In the announcements' payloads those ids carry a UUID version (`asRfcUuid`).
 */

export interface MeteringMonth {
  readonly period: string;
  readonly subscribers: number;
  readonly eventsPerSubscriber: number;
  readonly eventsPerRequest: number;
  readonly correctionShare: number;
}

export interface MeteringWritten {
  readonly events: number;
  readonly corrections: number;
  readonly requests: number;
  /** Usage lines per request's UsageRecorded, on average. */
  readonly linesPerAnnouncement: number;
  /** The outbox rows up to this id are the requests' announcements; the corrections' come after. */
  readonly lastRequestOutboxId: number;
}

/** The close bench's meters (close-population.ts), with the bounds catalog would give them. */
const METERS = [
  { name: 'active_seconds', weight: 1, unit: 'second', boundMax: 1 },
  { name: 'requests', weight: 0, unit: 'request', boundMax: 1_000 },
  { name: 'storage_mb_hours', weight: 2, unit: 'mb_hour', boundMax: 1_000 },
] as const;
const SUBSCRIBERS_PER_INSERT = 2_000;
const REQUESTS_PER_TRANSACTION = 25;
/** The relay's default batch (OUTBOX_BATCH_SIZE): it marks what it sent in updates of this many rows. */
const RELAY_BATCH = 500;
const SOURCE = { source: '/onecommons/metering' };

export const benchServiceId = (index: number) => md5Uuid(`bench-close-service-${index}`);
/** The close bench's service of a subscriber's j-th usage row (close-population.ts `populateUsage`). */
const SERVICE_INDEX_SQL = (i: string, j: string) =>
  `(floor(((abs(hashint4(${i})) % 1000) / 1000.0) ^ 2 * ${CATALOG.services})::int + (${j}) * 29) % ${CATALOG.services}`;
const METER_INDEX_SQL = (i: string, j: string) =>
  `abs(hashint8(${i}::bigint * 16 + (${j}) + 7)) % ${METERS.length}`;

async function populateProjections(db: DataSource, subscribers: number): Promise<void> {
  await db.query(
    `INSERT INTO meters (name, weight, unit, bound_per, bound_max)
     SELECT n, w, u, 'second', b FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS t(n, w, u, b)`,
    [
      METERS.map((meter) => meter.name),
      METERS.map((meter) => meter.weight),
      METERS.map((meter) => meter.unit),
      METERS.map((meter) => meter.boundMax),
    ],
  );
  await db.query(
    `INSERT INTO services (service_id, operator_id, status)
     SELECT md5('bench-close-service-' || n)::uuid, md5('bench-close-operator-' || n % ${CATALOG.operators})::uuid,
            'running'
       FROM generate_series(0, ${CATALOG.services - 1}) AS n`,
  );
  await db.query(
    `INSERT INTO subscribers (subscriber_id, plan, registered_at)
     SELECT ${BENCH_SUBSCRIBER_SQL('i')}, 'premium', '2026-01-01T00:00:00Z' FROM generate_series(1, $1::int) AS i`,
    [subscribers],
  );
}

/**
 * Events in generation order (subscriber by subscriber), so their digests reach the primary key in random order
 * as they do from many services at once. Ids are UUIDs as text, sources `/services/<id>`, as the benches send them.
 */
async function populateEvents(db: DataSource, month: MeteringMonth, periodStart: string): Promise<void> {
  // Usage is partitioned by period: the month's partitions first, as metering makes them ahead.
  await db.query(`SELECT ensure_usage_partitions(ARRAY[$1])`, [month.period]);
  for (let first = 1; first <= month.subscribers; first += SUBSCRIBERS_PER_INSERT) {
    const last = Math.min(month.subscribers, first + SUBSCRIBERS_PER_INSERT - 1);
    await db.query(
      `WITH m(n, name) AS (SELECT n - 1, name FROM unnest($4::text[]) WITH ORDINALITY AS t(name, n)),
            e AS (
              SELECT i, k, md5('bench-close-service-' || ${SERVICE_INDEX_SQL('i', `k % ${ROWS_PER_SUBSCRIBER}`)})::uuid
                       AS service_id,
                     m.name AS meter,
                     md5('bench-scale-event-' || i || '-' || k)::uuid::text AS event_id,
                     $6::timestamptz + (abs(hashint8(i::bigint * 7919 + k)) % (30 * 86400)) * interval '1 second'
                       AS event_time
                FROM generate_series($2::int, $3::int) AS i
               CROSS JOIN generate_series(0, $5::int - 1) AS k
                JOIN m ON m.n = ${METER_INDEX_SQL('i', `k % ${ROWS_PER_SUBSCRIBER}`)})
       INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period,
                                 event_time, received_at)
       SELECT usage_event_digest(service_id, '/services/' || service_id, event_id), '/services/' || service_id,
              event_id, ${BENCH_SUBSCRIBER_SQL('i')}, service_id, meter, 1 + abs(hashint8(i::bigint * 1000 + k)) % 600,
              $1, event_time, event_time + interval '2 seconds'
         FROM e`,
      [month.period, first, last, METERS.map((meter) => meter.name), month.eventsPerSubscriber, periodStart],
    );
  }
}

/** A uniform sample of the events (by digest), each corrected once by −1 (or +1 where that would reach zero). */
async function populateCorrections(db: DataSource, corrections: number): Promise<void> {
  await db.query(
    `INSERT INTO usage_corrections (source, event_id, original_source, original_event_id, original_digest, subscriber_id,
                                    service_id, meter, delta, period, original_period, applied_after_seal, received_at)
     SELECT source, md5('bench-scale-correction-' || event_id)::uuid::text, source, event_id, event_digest,
            subscriber_id, service_id, meter, CASE WHEN quantity > 1 THEN -1 ELSE 1 END, period, period, false,
            event_time + interval '1 day'
       FROM (SELECT * FROM usage_events ORDER BY event_digest LIMIT $1) AS e`,
    [corrections],
  );
}

async function populateAggregates(db: DataSource): Promise<void> {
  await db.query(
    `WITH e AS (SELECT period, subscriber_id, service_id, meter, sum(quantity) AS quantity, count(*) AS events
                  FROM usage_events GROUP BY period, subscriber_id, service_id, meter),
          c AS (SELECT period, subscriber_id, service_id, meter, sum(delta) AS delta
                  FROM usage_corrections GROUP BY period, subscriber_id, service_id, meter)
     INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
     SELECT period, subscriber_id, service_id, meter, e.quantity + coalesce(c.delta, 0), e.events
       FROM e LEFT JOIN c USING (period, subscriber_id, service_id, meter)`,
  );
}

/**
 * Each service's events cut into requests of `eventsPerRequest`; one UsageRecorded per request with its deltas per
 * (subscriber, service, meter), written by metering's own `UsageAnnouncements` (outbox and period count). Returns
 * the requests and their usage lines. At 10M subscribers a service's request of 1,000 events spans minutes, so its
 * events are of ~1,000 distinct (subscriber, meter) pairs; at the bench's size a request in time order would span
 * days and repeat pairs. Requests therefore take every pair's first event, then every pair's second, and so on:
 * as many lines per announcement as at the target.
 */
async function announceRequests(
  db: DataSource,
  eventsPerRequest: number,
): Promise<{ requests: number; lines: number }> {
  await db.query(
    `CREATE UNLOGGED TABLE bench_scale_requests AS
     WITH nth AS (
       SELECT *, row_number() OVER (PARTITION BY period, subscriber_id, service_id, meter ORDER BY event_time) AS nth
         FROM usage_events
     ), r AS (
       SELECT period, subscriber_id, service_id, meter, quantity,
              (row_number() OVER (PARTITION BY service_id ORDER BY nth, event_time, event_digest) - 1) / $1 AS request
         FROM nth)
     SELECT dense_rank() OVER (ORDER BY service_id, request) AS request_no, period, subscriber_id, service_id, meter,
            sum(quantity)::text AS quantity, count(*)::int AS events
       FROM r GROUP BY service_id, request, period, subscriber_id, meter`,
    [eventsPerRequest],
  );
  await db.query('CREATE INDEX ON bench_scale_requests (request_no)');
  const [{ requests } = { requests: 0 }] = (await db.query(
    'SELECT coalesce(max(request_no), 0)::int AS requests FROM bench_scale_requests',
  )) as { requests: number }[];
  const announcements = new UsageAnnouncements(new OutboxWriter(), new PeriodsRepository());
  let lines = 0;
  for (let first = 1; first <= requests; first += REQUESTS_PER_TRANSACTION) {
    const rows = (await db.query(
      `SELECT request_no::int AS request, period, subscriber_id AS "subscriberId", service_id AS "serviceId", meter,
              quantity, events
         FROM bench_scale_requests WHERE request_no BETWEEN $1 AND $2 ORDER BY request_no`,
      [first, first + REQUESTS_PER_TRANSACTION - 1],
    )) as (UsageDelta & { request: number })[];
    const byRequest = new Map<number, UsageDelta[]>();
    for (const { request, subscriberId, serviceId, ...delta } of rows) {
      const deltas = byRequest.get(request) ?? [];
      deltas.push({ ...delta, subscriberId: asRfcUuid(subscriberId), serviceId: asRfcUuid(serviceId) });
      byRequest.set(request, deltas);
    }
    lines += rows.length;
    await db.transaction(async (manager) => {
      for (const deltas of byRequest.values()) await announcements.append(manager, usageRecordedOf(deltas));
    });
  }
  await db.query('DROP TABLE bench_scale_requests');
  return { requests, lines };
}

/** As `CorrectionRecorder` announces a correction of an open period: a one-line UsageRecorded and a UsageCorrected. */
async function announceCorrections(db: DataSource): Promise<void> {
  const corrections = (await db.query(
    `SELECT c.source, c.event_id AS id, c.original_source, c.original_event_id, c.subscriber_id, c.service_id,
            c.meter, c.delta::text AS delta, c.period, e.quantity::text AS original_quantity,
            c.received_at
       FROM usage_corrections c JOIN usage_events e ON e.event_digest = c.original_digest`,
  )) as {
    source: string;
    id: string;
    original_source: string;
    original_event_id: string;
    subscriber_id: string;
    service_id: string;
    meter: string;
    delta: string;
    period: string;
    original_quantity: string;
    received_at: Date;
  }[];
  const announcements = new UsageAnnouncements(new OutboxWriter(), new PeriodsRepository());
  for (let first = 0; first < corrections.length; first += REQUESTS_PER_TRANSACTION * 4) {
    await db.transaction(async (manager) => {
      for (const correction of corrections.slice(first, first + REQUESTS_PER_TRANSACTION * 4)) {
        const correctedAt = correction.received_at.toISOString();
        const change = {
          subscriberId: asRfcUuid(correction.subscriber_id),
          period: correction.period,
          serviceId: asRfcUuid(correction.service_id),
          meter: correction.meter,
          delta: correction.delta,
          correction: { source: correction.source, id: correction.id },
          correctedAt,
        };
        await announcements.append(
          manager,
          usageRecordedOf([{ ...change, quantity: correction.delta, events: 0 }], new Date(correctedAt)),
          [
            createEvent(
              UsageCorrectedV1,
              {
                ...change,
                original: {
                  source: correction.original_source,
                  id: correction.original_event_id,
                  quantity: correction.original_quantity,
                  period: correction.period,
                },
              },
              SOURCE,
            ),
          ],
        );
      }
    });
  }
}

/** What the relay does once a batch is on Kafka. */
async function markSent(db: DataSource): Promise<void> {
  const [{ first, last } = { first: 0, last: -1 }] = (await db.query(
    'SELECT coalesce(min(id), 0)::int AS first, coalesce(max(id), -1)::int AS last FROM outbox',
  )) as { first: number; last: number }[];
  for (let id = first; id <= last; id += RELAY_BATCH) {
    await db.query(`UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])`, [
      Array.from({ length: Math.min(RELAY_BATCH, last - id + 1) }, (_, offset) => id + offset),
    ]);
  }
}

export async function populateMetering(
  db: DataSource,
  month: MeteringMonth,
  log: (message: string) => void,
): Promise<MeteringWritten> {
  const periodStart = `${month.period}-01T00:00:00Z`;
  await populateProjections(db, month.subscribers);
  await populateEvents(db, month, periodStart);
  const events = month.subscribers * month.eventsPerSubscriber;
  const corrections = Math.round(events * month.correctionShare);
  log(`${events.toLocaleString('en-US')} usage events written; corrections and aggregates`);
  await populateCorrections(db, corrections);
  await populateAggregates(db);
  log('aggregates written; announcing each request through the outbox');
  const { requests, lines } = await announceRequests(db, month.eventsPerRequest);
  const [{ lastRequestOutboxId } = { lastRequestOutboxId: 0 }] = (await db.query(
    'SELECT coalesce(max(id), 0)::int AS "lastRequestOutboxId" FROM outbox',
  )) as { lastRequestOutboxId: number }[];
  await announceCorrections(db);
  await markSent(db);
  return {
    events,
    corrections,
    requests,
    linesPerAnnouncement: requests > 0 ? lines / requests : 0,
    lastRequestOutboxId,
  };
}

/** The usage topic's partitions (KAFKA_USAGE_TOPIC_PARTITIONS unset: KAFKA_TOPIC_PARTITIONS' default, 6). */
const USAGE_PARTITIONS = 6;
const RENEWED = { type: 'onecommons.identity.subscription.renewed.v1', topic: 'identity.events.v1' };
const CAPTURED = { type: 'onecommons.identity.payment.captured.v1', topic: 'identity.events.v1' };

/**
 * The idempotent consumers' records, as the batched processor inserts them: in `processed_events` of the schema,
 * one per UsageRecorded in metering's outbox (metering's quota watcher and the ledger's usage projection both
 * consume them) and one per paying subscriber's monthly event (`perSubscriber`: metering consumes the renewal,
 * the ledger the captured payment). Other event types handled are few per month.
 */
export async function populateProcessedEvents(
  db: DataSource,
  {
    schema,
    meteringSchema,
    consumerGroup,
    perSubscriber,
    subscribers,
  }: {
    schema: string;
    meteringSchema: string;
    consumerGroup: string;
    perSubscriber: 'renewal' | 'payment';
    subscribers: number;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO "${schema}".processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset)
     SELECT $1, event_id, event_type, topic, partition,
            row_number() OVER (PARTITION BY partition ORDER BY id) - 1
       FROM (SELECT id, event_id, event_type, topic, abs(hashtext(message_key)) % ${USAGE_PARTITIONS} AS partition
               FROM "${meteringSchema}".outbox WHERE event_type = 'onecommons.metering.usage.recorded.v2') AS o
      ORDER BY id`,
    [consumerGroup],
  );
  const monthly = perSubscriber === 'renewal' ? RENEWED : CAPTURED;
  const ids = Array.from({ length: subscribers }, () => uuidV7());
  await db.query(
    `INSERT INTO "${schema}".processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset)
     SELECT $1, id, $2, $3, (n - 1) % 6, (n - 1) / 6 FROM unnest($4::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [consumerGroup, monthly.type, monthly.topic, ids],
  );
}

import { Injectable } from '@nestjs/common';
import { meterBoundSchema } from '@onecommons/contracts';
import { bigintText, queryOne } from '@onecommons/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type UsageDelta } from '../periods/usage-recorded-events.js';
import { IngestFacts } from './ingest-facts.js';
import { type DatedUsageEvent } from './usage-recorder.js';

/** An aggregate's key and quantity: [period, subscriber, service, meter, quantity]. */
export type AggregateQuantity = [
  period: string,
  subscriberId: string,
  serviceId: string,
  meter: string,
  quantity: bigint,
];

/** What the events of a recording find, their aggregates locked. */
export interface CountedAndLocked {
  /** [position (from 1), same identity]: the events whose digest is stored. */
  readonly counted: [position: number, sameIdentity: boolean][];
  /** The aggregates the events in open periods add to (those that exist), locked. */
  readonly aggregates: AggregateQuantity[];
  /** The sealed periods among those of the events in open periods. */
  readonly sealed: string[];
}

/** What a recording's insert did. */
export interface Recorded {
  /** What it added to each aggregate. */
  readonly deltas: UsageDelta[];
  /** Each aggregate's quantity after it. */
  readonly sums: AggregateQuantity[];
  /** The positions (from 1) of the events counted meanwhile, by another transaction. */
  readonly skipped: number[];
}

const factsRow = z
  .object({
    meters: z.array(z.tuple([z.string(), meterBoundSchema.shape.per, z.string()])),
    service: z.object({ operatorId: z.string(), status: z.string() }).nullable(),
    subscribers: z.array(z.string()),
    sealed: z.array(z.string()),
  })
  .transform(
    (row) =>
      new IngestFacts(
        new Map(row.meters.map(([name, per, max]) => [name, { per, max }])),
        row.service,
        new Set(row.subscribers),
        new Set(row.sealed),
      ),
  );

const aggregateQuantity = z.tuple([z.string(), z.string(), z.string(), z.string(), bigintText]);

const countedAndLockedRow = z.object({
  counted: z.array(z.tuple([z.number().int(), z.boolean()])),
  aggregates: z.array(aggregateQuantity),
  sealed: z.array(z.string()),
});

const recordedRow = z
  .object({
    deltas: z.array(z.tuple([z.string(), z.string(), z.string(), z.string(), z.string(), z.number().int()])),
    sums: z.array(aggregateQuantity),
    skipped: z.array(z.number().int()),
  })
  .transform((row): Recorded => ({
    deltas: row.deltas.map(([period, subscriberId, serviceId, meter, quantity, events]) => ({
      period,
      subscriberId,
      serviceId,
      meter,
      quantity,
      events,
    })),
    sums: row.sums,
    skipped: row.skipped,
  }));

/**
 * The ingest feature's statements: the facts a request is checked against, and the recording of usage events
 * (usage_events and usage_aggregates), each one statement with one row back whatever the number of events.
 */
@Injectable()
export class IngestRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The meters, the key's service, which of the subjects are subscribers, which of the periods are sealed. */
  async factsOf(
    serviceId: string | null,
    subjects: readonly string[],
    periods: readonly string[],
  ): Promise<IngestFacts> {
    return queryOne(
      this.dataSource,
      {
        name: 'ingest.factsOf',
        row: factsRow,
        sql: `SELECT
                (SELECT coalesce(json_agg(json_build_array(name, bound_per, bound_max::text)), '[]'::json) FROM meters)
                  AS meters,
                (SELECT json_build_object('operatorId', operator_id, 'status', status) FROM services
                  WHERE service_id = $1) AS service,
                (SELECT coalesce(json_agg(subscriber_id), '[]'::json) FROM subscribers
                  WHERE subscriber_id = ANY($2::uuid[])) AS subscribers,
                (SELECT coalesce(json_agg(period), '[]'::json) FROM period_seals WHERE period = ANY($3::text[])) AS sealed`,
      },
      [serviceId, [...new Set(subjects)], [...new Set(periods)]],
    );
  }

  /**
   * The events counted before, the sealed periods among those of the events in open periods (`open`), and the
   * aggregates these add to, locked in key order (like every writer).
   */
  async countedAndLocked(
    manager: EntityManager,
    events: readonly DatedUsageEvent[],
    open: readonly DatedUsageEvent[],
  ): Promise<CountedAndLocked> {
    return queryOne(
      manager,
      {
        name: 'ingest.countedAndLocked',
        row: countedAndLockedRow,
        sql: `WITH incoming AS (
                SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::text[], $4::text[]) WITH ORDINALITY
                  AS t(event_digest, service_id, source, event_id, position)
              ), groups AS (
                SELECT DISTINCT * FROM unnest($5::text[], $6::uuid[], $7::uuid[], $8::text[])
                  AS g(period, subscriber_id, service_id, meter)
              ), locked AS (
                SELECT a.period, a.subscriber_id, a.service_id, a.meter, a.quantity FROM usage_aggregates a
                  JOIN groups g USING (period, subscriber_id, service_id, meter)
                 ORDER BY a.period, a.subscriber_id, a.service_id, a.meter
                   FOR UPDATE OF a
              )
              SELECT
                -- One probe of the key per event; the full identity compared where a digest is stored (see eventDigest).
                (SELECT coalesce(json_agg(json_build_array(i.position, (e.service_id, e.source, e.event_id)
                                                                      = (i.service_id, i.source, i.event_id))),
                                 '[]'::json)
                   FROM incoming i JOIN usage_events e USING (event_digest)) AS counted,
                (SELECT coalesce(json_agg(json_build_array(period, subscriber_id, service_id, meter, quantity::text)),
                                 '[]'::json) FROM locked) AS aggregates,
                (SELECT coalesce(json_agg(period), '[]'::json) FROM period_seals
                  WHERE period IN (SELECT period FROM groups)) AS sealed`,
      },
      [
        events.map((event) => event.digest),
        events.map((event) => event.serviceId),
        events.map((event) => event.source),
        events.map((event) => event.id),
        open.map((event) => event.period),
        open.map((event) => event.subscriberId),
        open.map((event) => event.serviceId),
        open.map((event) => event.meter),
      ],
    );
  }

  /**
   * Inserts the events into usage_events (those counted meanwhile are skipped) and adds the inserted ones to
   * their aggregates. One row back: the per-(period, subscriber, service, meter) deltas, the sums they reached,
   * and the positions of the events skipped. Returning every inserted row instead made metering parse each event
   * a second time; the groups are what it needs.
   */
  async insertEvents(manager: EntityManager, events: readonly DatedUsageEvent[]): Promise<Recorded> {
    return queryOne(
      manager,
      {
        name: 'ingest.insertEvents',
        row: recordedRow,
        sql: `WITH incoming AS (
                SELECT * FROM unnest($1::bytea[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::bigint[],
                                     $8::text[], $9::timestamptz[]) WITH ORDINALITY
                  AS t(event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period, event_time,
                       position)
              ), inserted AS (
                INSERT INTO usage_events (event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period,
                                          event_time)
                SELECT event_digest, source, event_id, subscriber_id, service_id, meter, quantity, period, event_time
                  FROM incoming
                 ORDER BY event_digest
                ON CONFLICT (event_digest, period) DO NOTHING
                RETURNING event_digest, subscriber_id, service_id, meter, quantity, period
              ), deltas AS (
                SELECT period, subscriber_id, service_id, meter, sum(quantity) AS quantity, count(*) AS events
                  FROM inserted GROUP BY period, subscriber_id, service_id, meter
              ), summed AS (
                INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
                SELECT period, subscriber_id, service_id, meter, quantity, events FROM deltas
                 ORDER BY period, subscriber_id, service_id, meter
                ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
                  SET quantity = usage_aggregates.quantity + EXCLUDED.quantity,
                      events = usage_aggregates.events + EXCLUDED.events
                RETURNING period, subscriber_id, service_id, meter, quantity
              )
              SELECT
                (SELECT coalesce(json_agg(json_build_array(period, subscriber_id, service_id, meter, quantity::text, events)),
                                 '[]'::json) FROM deltas) AS deltas,
                (SELECT coalesce(json_agg(json_build_array(period, subscriber_id, service_id, meter, quantity::text)),
                                 '[]'::json) FROM summed) AS sums,
                (SELECT coalesce(json_agg(position), '[]'::json) FROM incoming
                  WHERE NOT EXISTS (SELECT 1 FROM inserted WHERE inserted.event_digest = incoming.event_digest))
                  AS skipped`,
      },
      [
        events.map((event) => event.digest),
        events.map((event) => event.source),
        events.map((event) => event.id),
        events.map((event) => event.subscriberId),
        events.map((event) => event.serviceId),
        events.map((event) => event.meter),
        events.map((event) => event.quantity.toString()),
        events.map((event) => event.period),
        events.map((event) => event.time.toISOString()),
      ],
    );
  }
}

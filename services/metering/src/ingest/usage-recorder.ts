import { Injectable } from '@nestjs/common';
import { createEvent, UsageRecordedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource } from 'typeorm';
import { type UsageEvent } from './usage-event.js';

export interface DatedUsageEvent extends UsageEvent {
  readonly period: string;
}

const DEADLOCK = '40P01';
const ATTEMPTS = 3;

/**
 * Counts usage exactly once. In one transaction: the events go into `usage_events`, whose primary key
 * (source, id) drops any already counted; only the rows actually inserted are added to the aggregates and
 * announced through the outbox. A retry of the same request therefore changes nothing, and a crash before
 * the commit leaves nothing behind (never "claim the id, then write").
 */
@Injectable()
export class UsageRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** Records the events (distinct (source, id) within the call); returns the keys newly counted. */
  async record(events: readonly DatedUsageEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.recordOnce(events);
      } catch (error) {
        // Two batches touching the same aggregates in another order: one is chosen to fail; run it again.
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async recordOnce(events: readonly DatedUsageEvent[]): Promise<Set<string>> {
    return this.dataSource.transaction(async (manager) => {
      const inserted = (await manager.query(
        `WITH incoming AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::bigint[], $7::text[],
                                $8::timestamptz[])
             AS t(source, event_id, subscriber_id, service_id, meter, quantity, period, event_time)
         ), inserted AS (
           INSERT INTO usage_events (source, event_id, subscriber_id, service_id, meter, quantity, period, event_time)
           SELECT * FROM incoming
           ON CONFLICT (source, event_id) DO NOTHING
           RETURNING source, event_id, subscriber_id, service_id, meter, quantity, period
         ), summed AS (
           INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
           SELECT period, subscriber_id, service_id, meter, sum(quantity), count(*) FROM inserted
            GROUP BY period, subscriber_id, service_id, meter
            ORDER BY period, subscriber_id, service_id, meter
           ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
             SET quantity = usage_aggregates.quantity + EXCLUDED.quantity,
                 events = usage_aggregates.events + EXCLUDED.events
         )
         SELECT source, event_id, subscriber_id, service_id, meter, quantity::text AS quantity, period FROM inserted`,
        [
          events.map((event) => event.source),
          events.map((event) => event.id),
          events.map((event) => event.subscriberId),
          events.map((event) => event.serviceId),
          events.map((event) => event.meter),
          events.map((event) => event.quantity.toString()),
          events.map((event) => event.period),
          events.map((event) => event.time.toISOString()),
        ],
      )) as InsertedRow[];
      await this.outbox.append(manager, announcementsOf(inserted));
      return new Set(inserted.map((row) => eventKey(row.source, row.event_id)));
    });
  }
}

interface InsertedRow {
  source: string;
  event_id: string;
  subscriber_id: string;
  service_id: string;
  meter: string;
  quantity: string;
  period: string;
}

export const eventKey = (source: string, id: string) => `${source.length}:${source}${id}`;

/** One UsageRecorded per (subscriber, period): the deltas this transaction added to its aggregates. */
function announcementsOf(rows: readonly InsertedRow[]) {
  const groups = new Map<
    string,
    { subscriberId: string; period: string; usage: Map<string, { quantity: bigint; events: number }> }
  >();
  for (const row of rows) {
    const groupKey = `${row.subscriber_id}/${row.period}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { subscriberId: row.subscriber_id, period: row.period, usage: new Map() };
      groups.set(groupKey, group);
    }
    const usageKey = `${row.service_id}/${row.meter}`;
    const current = group.usage.get(usageKey) ?? { quantity: 0n, events: 0 };
    group.usage.set(usageKey, {
      quantity: current.quantity + BigInt(row.quantity),
      events: current.events + 1,
    });
  }
  const recordedAt = new Date().toISOString();
  return [...groups.values()].map((group) =>
    createEvent(
      UsageRecordedV1,
      {
        subscriberId: group.subscriberId,
        period: group.period,
        usage: [...group.usage.entries()].sort().map(([key, sum]) => {
          const [serviceId, meter] = key.split(/\/(.*)/s) as [string, string];
          return { serviceId, meter, quantity: sum.quantity.toString(), events: sum.events };
        }),
        recordedAt,
      },
      { source: '/onecommons/metering' },
    ),
  );
}

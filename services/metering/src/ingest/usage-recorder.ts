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
        // Keys are taken in one order (events, then aggregates, then outbox locks), so a deadlock is not
        // expected; should Postgres still pick this transaction as a victim, it is simply run again.
        const code = (error as { driverError?: { code?: string } }).driverError?.code;
        if (code !== DEADLOCK || attempt >= ATTEMPTS) throw error;
      }
    }
  }

  private async recordOnce(events: readonly DatedUsageEvent[]): Promise<Set<string>> {
    return this.dataSource.transaction(async (manager) => {
      // One statement, one row back: the per-(period, subscriber, service, meter) deltas this transaction
      // added, and the positions of the events already counted before. Returning every inserted row instead
      // made metering parse each event a second time; the groups are what the announcements need.
      const [recorded] = (await manager.query(
        `WITH incoming AS (
           SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::bigint[], $7::text[],
                                $8::timestamptz[]) WITH ORDINALITY
             AS t(source, event_id, subscriber_id, service_id, meter, quantity, period, event_time, position)
         ), inserted AS (
           INSERT INTO usage_events (source, event_id, subscriber_id, service_id, meter, quantity, period, event_time)
           SELECT source, event_id, subscriber_id, service_id, meter, quantity, period, event_time FROM incoming
            ORDER BY source, event_id
           ON CONFLICT (source, event_id) DO NOTHING
           RETURNING source, event_id, subscriber_id, service_id, meter, quantity, period
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
         )
         SELECT
           (SELECT coalesce(json_agg(json_build_array(period, subscriber_id, service_id, meter, quantity::text, events)),
                            '[]'::json) FROM deltas) AS deltas,
           (SELECT coalesce(json_agg(position), '[]'::json) FROM incoming
             WHERE NOT EXISTS (SELECT 1 FROM inserted
                                WHERE inserted.source = incoming.source AND inserted.event_id = incoming.event_id))
             AS skipped`,
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
      )) as [{ deltas: UsageDelta[]; skipped: number[] }];
      await this.outbox.append(manager, announcementsOf(recorded.deltas));
      const skipped = new Set(recorded.skipped);
      const counted = new Set<string>();
      events.forEach((event, index) => {
        if (!skipped.has(index + 1)) counted.add(eventKey(event.source, event.id));
      });
      return counted;
    });
  }
}

/** What one transaction added to one aggregate: [period, subscriber, service, meter, quantity, events]. */
type UsageDelta = [string, string, string, string, string, number];

export const eventKey = (source: string, id: string) => `${source.length}:${source}${id}`;

/** One UsageRecorded per (subscriber, period): the deltas this transaction added to its aggregates. */
function announcementsOf(deltas: readonly UsageDelta[]) {
  const groups = new Map<
    string,
    {
      subscriberId: string;
      period: string;
      usage: { serviceId: string; meter: string; quantity: string; events: number }[];
    }
  >();
  for (const [period, subscriberId, serviceId, meter, quantity, events] of deltas) {
    const groupKey = `${subscriberId}/${period}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { subscriberId, period, usage: [] };
      groups.set(groupKey, group);
    }
    group.usage.push({ serviceId, meter, quantity, events });
  }
  const recordedAt = new Date().toISOString();
  const usageKey = (usage: { serviceId: string; meter: string }) => `${usage.serviceId}/${usage.meter}`;
  return [...groups.values()].map((group) =>
    createEvent(
      UsageRecordedV1,
      {
        subscriberId: group.subscriberId,
        period: group.period,
        usage: group.usage.sort((left, right) => {
          const [a, b] = [usageKey(left), usageKey(right)];
          return a < b ? -1 : a > b ? 1 : 0;
        }),
        recordedAt,
      },
      { source: '/onecommons/metering' },
    ),
  );
}

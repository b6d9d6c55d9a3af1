import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { lockPeriodsForUsage } from '../periods/period-lock.js';
import { UsageAnnouncements } from '../periods/usage-announcements.js';
import { UsagePartitions } from '../periods/usage-partitions.js';
import { usageRecordedOf } from '../periods/usage-recorded-events.js';
import { IngestRepository } from './ingest.repository.js';
import { type UsageEvent } from './usage-event.js';

export interface DatedUsageEvent extends UsageEvent {
  readonly period: string;
  /** The most this subscriber's usage of the service may reach on the meter in the period (its bound). */
  readonly limit: bigint;
  /** The period took no more usage when the request came (past its grace, or sealed). */
  readonly periodClosed: boolean;
  /** `eventDigest` of the event: its unique key in `usage_events`. */
  readonly digest: Buffer;
}

/**
 * What became of one event: counted, already counted before, refused as beyond its meter's bound, or refused
 * because its period is closed (an event counted before stays a duplicate: a sender's retry keeps its answer).
 */
export type RecordedAs = 'accepted' | 'duplicate' | 'over_bound' | 'period_closed';

const DEADLOCK = '40P01';
const CHECK_VIOLATION = '23514';
/** An insert into a partitioned table whose row no partition takes: a check violation raised by ExecFindPartition. */
const NO_PARTITION = 'no_partition';
const ATTEMPTS = 5;

/** Another transaction created an aggregate this one also created and pushed it past its bound: run again. */
class BoundRaced extends Error {
  readonly code = 'bound_raced';
}

/**
 * Counts usage exactly once, within each meter's bound. In one transaction: the aggregates the events add to
 * are locked and read with the events already counted; each new event is admitted, in order, while its
 * aggregate stays within the bound; the admitted events go into `usage_events`, whose primary key (the
 * digest of service, source and id) drops any counted meanwhile; only the rows actually inserted are added to the aggregates and
 * announced through the outbox. A retry of the same request therefore changes nothing, and a crash before
 * the commit leaves nothing behind (never "claim the id, then write"). `usage_events` is partitioned by period,
 * so its key is (digest, period): the lookup before the insert, by digest alone, finds an identity counted in
 * any attached period (one probe per partition); only two requests racing with one identity in two different
 * periods (not a retry: a retry repeats the time) could both count. An aggregate that did not exist when
 * read cannot be locked: should a concurrent transaction create it first, the sum read back exceeds the
 * bound and the whole transaction runs again, now with the row locked.
 *
 * Periods: the transaction first takes the seal lock of each period it adds to (shared), then reads which are
 * sealed. An event racing a seal is therefore either counted before it (and in its watermark) or refused.
 */
@Injectable()
export class UsageRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ingest: IngestRepository,
    private readonly announcements: UsageAnnouncements,
    private readonly partitions: UsagePartitions,
  ) {}

  /** Records the events (distinct identities within the call); returns each one's fate by `eventKey`. */
  async record(events: readonly DatedUsageEvent[]): Promise<Map<string, RecordedAs>> {
    if (events.length === 0) return new Map();
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.recordOnce(events);
      } catch (error) {
        // Keys are taken in one order (period seal locks, aggregates, events, period counts, then outbox
        // locks), so a deadlock is not expected; should Postgres still pick this transaction as a victim, it
        // is simply run again.
        const driverError = (error as { driverError?: { code?: string; routine?: string } }).driverError;
        const code =
          error instanceof BoundRaced
            ? error.code
            : driverError?.code === CHECK_VIOLATION && driverError.routine === 'ExecFindPartition'
              ? NO_PARTITION
              : driverError?.code;
        if ((code !== DEADLOCK && code !== 'bound_raced' && code !== NO_PARTITION) || attempt >= ATTEMPTS)
          throw error;
        // A period whose partition the maintenance has not made yet (usage early by the clock's skew).
        if (code === NO_PARTITION)
          await this.partitions.ensure(
            events.filter((event) => !event.periodClosed).map((event) => event.period),
          );
      }
    }
  }

  private async recordOnce(events: readonly DatedUsageEvent[]): Promise<Map<string, RecordedAs>> {
    return this.dataSource.transaction(async (manager) => {
      const fates = new Map<string, RecordedAs>();
      const open = events.filter((event) => !event.periodClosed);
      // Its own statement: the next one's snapshot then sees any seal committed while this waited.
      await lockPeriodsForUsage(
        manager,
        open.map((event) => event.period),
      );
      const { countedBefore, aggregates, sealed } = await this.lockAggregates(manager, events, open);
      const running = new Map(aggregates);
      const admitted: DatedUsageEvent[] = [];
      for (const [index, event] of events.entries()) {
        const identity = eventKey(event);
        const group = groupKey(event.period, event.subscriberId, event.serviceId, event.meter);
        const after = (running.get(group) ?? 0n) + event.quantity;
        if (countedBefore.has(index + 1)) fates.set(identity, 'duplicate');
        else if (event.periodClosed || sealed.has(event.period)) fates.set(identity, 'period_closed');
        else if (after > event.limit) fates.set(identity, 'over_bound');
        else {
          running.set(group, after);
          admitted.push(event);
          fates.set(identity, 'accepted');
        }
      }
      if (admitted.length === 0) return fates;
      const recorded = await this.ingest.insertEvents(manager, admitted);
      const limits = new Map(
        admitted.map((event) => [
          groupKey(event.period, event.subscriberId, event.serviceId, event.meter),
          event.limit,
        ]),
      );
      for (const [period, subscriberId, serviceId, meter, quantity] of recorded.sums)
        if (quantity > (limits.get(groupKey(period, subscriberId, serviceId, meter)) ?? 0n))
          throw new BoundRaced('an aggregate created concurrently went beyond its bound');
      await this.announcements.append(manager, usageRecordedOf(recorded.deltas));
      const skipped = new Set(recorded.skipped);
      admitted.forEach((event, index) => {
        if (skipped.has(index + 1)) fates.set(eventKey(event), 'duplicate');
      });
      return fates;
    });
  }

  /**
   * The positions of the events counted before, the sealed periods among those of the open events, and the
   * aggregates these add to, locked so that concurrent requests for one subscriber, service and meter are
   * checked against each other's usage.
   */
  private async lockAggregates(
    manager: EntityManager,
    events: readonly DatedUsageEvent[],
    open: readonly DatedUsageEvent[],
  ): Promise<{ countedBefore: Set<number>; aggregates: Map<string, bigint>; sealed: Set<string> }> {
    const found = await this.ingest.countedAndLocked(manager, events, open);
    // Never seen, and not expected before ~2^64 events of a service (see eventDigest): refused loudly rather
    // than counting a distinct event as a duplicate.
    if (found.counted.some(([, same]) => !same))
      throw new Error('a usage event shares its digest with another event');
    return {
      countedBefore: new Set(found.counted.map(([position]) => position)),
      sealed: new Set(found.sealed),
      aggregates: new Map(
        found.aggregates.map(([period, subscriberId, serviceId, meter, quantity]) => [
          groupKey(period, subscriberId, serviceId, meter),
          quantity,
        ]),
      ),
    };
  }
}

const groupKey = (period: string, subscriberId: string, serviceId: string, meter: string) =>
  `${period}/${subscriberId}/${serviceId}/${meter}`;

/** An event's identity: its service's, then its CloudEvents (source, id) within that service. */
export const eventKey = ({ serviceId, source, id }: Pick<UsageEvent, 'serviceId' | 'source' | 'id'>) =>
  `${serviceId}/${source.length}:${source}${id}`;

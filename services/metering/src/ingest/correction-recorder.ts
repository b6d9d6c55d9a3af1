import { Injectable } from '@nestjs/common';
import { ClosedPeriodUsageCorrectedV1, createEvent, UsageCorrectedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { lockPeriodsForUsage } from '../periods/period-lock.js';
import { UsageAnnouncements } from '../periods/usage-announcements.js';
import { UsagePartitions } from '../periods/usage-partitions.js';
import { usageRecordedOf } from '../periods/usage-recorded-events.js';
import { eventDigest } from './event-digest.js';
import { type CorrectionEvent, type Rejection } from './usage-event.js';

const SOURCE = { source: '/onecommons/metering' };

/** A rule broken inside the transaction: it rolls back, and the client gets the rejection. */
class CorrectionRefused extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

interface OriginalRow {
  subscriber_id: string;
  service_id: string;
  meter: string;
  quantity: string;
  period: string;
  sealed: boolean;
  digest: Buffer;
}

/**
 * Applies usage corrections, one transaction each (they are rare): the correction counts once by its own
 * (source, id) and belongs to the period of the event it corrects. While that period is open, it changes the
 * period's aggregate and is announced (UsageRecorded, in the period's watermark, and UsageCorrected); once the
 * period is sealed, it is recorded as applied after the seal and announced as a ClosedPeriodUsageCorrected
 * only, for the ledger to adjust the closed period. An event can never be corrected below zero, and a positive
 * correction cannot take its period's usage beyond the meter's bound.
 */
@Injectable()
export class CorrectionRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly announcements: UsageAnnouncements,
    private readonly outbox: OutboxWriter,
    private readonly partitions: UsagePartitions,
  ) {}

  /** `limitOf`: the bound of the correction's meter in a period (the corrected event's). */
  async record(
    correction: CorrectionEvent,
    limitOf: (period: string) => bigint,
  ): Promise<'accepted' | 'duplicate' | Rejection> {
    try {
      return await this.dataSource.transaction((manager) => this.apply(manager, correction, limitOf));
    } catch (error) {
      if (error instanceof CorrectionRefused) return error.rejection;
      throw error;
    }
  }

  private async apply(
    manager: EntityManager,
    correction: CorrectionEvent,
    limitOf: (period: string) => bigint,
  ): Promise<'accepted' | 'duplicate'> {
    const original = await this.lockOriginal(manager, correction);
    const sealed = original.sealed;
    const inserted = (await manager.query(
      `INSERT INTO usage_corrections (source, event_id, original_source, original_event_id, original_digest,
                                      subscriber_id, service_id, meter, delta, period, original_period,
                                      applied_after_seal)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT (service_id, source, event_id) DO NOTHING
       RETURNING 1`,
      [
        correction.source,
        correction.id,
        correction.corrects.source,
        correction.corrects.id,
        original.digest,
        correction.subscriberId,
        correction.serviceId,
        correction.meter,
        correction.delta.toString(),
        original.period,
        sealed,
      ],
    )) as unknown[];
    if (inserted.length === 0) return 'duplicate';
    const [net] = (await manager.query(
      `SELECT ($3::numeric + coalesce(sum(delta), 0))::text AS net FROM usage_corrections
        WHERE service_id = $4 AND original_source = $1 AND original_event_id = $2`,
      [correction.corrects.source, correction.corrects.id, original.quantity, correction.serviceId],
    )) as { net: string }[];
    if (BigInt(net?.net ?? '0') < 0n) throw new CorrectionRefused(belowZero(original.quantity));
    const usage = sealed
      ? await this.usageAfterSeal(manager, correction, original.period)
      : await this.addToAggregate(manager, correction, original.period);
    // Corrections from before #19 counted in the period in which they arrived, not in the event's: after one
    // of those, an event's net can stay above zero while its period's usage would go below.
    if (usage < 0n) throw new CorrectionRefused(belowZero(original.quantity));
    const limit = limitOf(original.period);
    if (correction.delta > 0n && usage > limit)
      throw new CorrectionRefused({
        code: 'implausible_quantity',
        field: 'data.quantity',
        message: `would take the ${original.period} usage of this service and meter beyond its bound (${limit})`,
      });
    const correctedAt = new Date().toISOString();
    const change = {
      subscriberId: correction.subscriberId,
      period: original.period,
      serviceId: correction.serviceId,
      meter: correction.meter,
      delta: correction.delta.toString(),
      correction: { source: correction.source, id: correction.id },
      correctedAt,
    };
    const corrects = { ...correction.corrects, quantity: original.quantity };
    if (sealed) {
      // Not a UsageRecorded: the sealed period's watermark is final.
      await this.outbox.append(manager, [
        createEvent(ClosedPeriodUsageCorrectedV1, { ...change, original: corrects }, SOURCE),
      ]);
      return 'accepted';
    }
    await this.announcements.append(
      manager,
      [
        ...usageRecordedOf(
          [
            {
              subscriberId: correction.subscriberId,
              period: original.period,
              serviceId: correction.serviceId,
              meter: correction.meter,
              quantity: correction.delta.toString(),
              events: 0,
            },
          ],
          new Date(correctedAt),
        ),
      ],
      [
        createEvent(
          UsageCorrectedV1,
          { ...change, original: { ...corrects, period: original.period } },
          SOURCE,
        ),
      ],
    );
    return 'accepted';
  }

  /**
   * The corrected event, locked so that concurrent corrections of one event are checked against each other,
   * after its period's seal lock (taken shared, like every writer of the period) and with whether the period is
   * sealed. A service corrects only its own events: another service's (source, id) is not even looked at.
   */
  private async lockOriginal(manager: EntityManager, correction: CorrectionEvent): Promise<OriginalRow> {
    const { serviceId } = correction;
    const digest = eventDigest({ serviceId, ...correction.corrects });
    // Found by its digest, then its full identity compared (see eventDigest).
    const identity = [digest, serviceId, correction.corrects.source, correction.corrects.id] as const;
    const [located] = (await manager.query(
      `SELECT period FROM usage_events
        WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4`,
      identity,
    )) as { period: string }[];
    // Detached (archived), or past the window but not detached yet: either way no longer corrected.
    const archived = located ? null : await this.partitions.archivedPeriodOf(manager, identity);
    const oldest = this.partitions.oldestCorrectable(new Date());
    if (archived !== null || (located && located.period < oldest))
      throw new CorrectionRefused({
        code: 'correction_window_passed',
        field: 'data.corrects',
        message: `the corrected event is in ${archived ?? located?.period}, past the correction window (periods from ${oldest} may be corrected): its usage is archived`,
      });
    if (located) await lockPeriodsForUsage(manager, [located.period]);
    const [original] = located
      ? ((await manager.query(
          `SELECT subscriber_id, service_id, meter, quantity::text AS quantity, period,
                  EXISTS (SELECT 1 FROM period_seals s WHERE s.period = e.period) AS sealed
             FROM usage_events e
            WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4 FOR UPDATE OF e`,
          [...identity],
        )) as Omit<OriginalRow, 'digest'>[])
      : [];
    if (
      !original ||
      original.subscriber_id !== correction.subscriberId ||
      original.service_id !== correction.serviceId ||
      original.meter !== correction.meter
    )
      throw new CorrectionRefused({
        code: 'unknown_original',
        field: 'data.corrects',
        message: 'no accepted usage event with this source and id for this subscriber, service and meter',
      });
    return { ...original, digest };
  }

  /** Changes the open period's aggregate; returns its quantity after. */
  private async addToAggregate(
    manager: EntityManager,
    correction: CorrectionEvent,
    period: string,
  ): Promise<bigint> {
    const [aggregate] = (await manager.query(
      `INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
       VALUES ($1, $2, $3, $4, $5, 0)
       ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
         SET quantity = usage_aggregates.quantity + EXCLUDED.quantity
       RETURNING quantity::text AS quantity`,
      [period, correction.subscriberId, correction.serviceId, correction.meter, correction.delta.toString()],
    )) as { quantity: string }[];
    return BigInt(aggregate?.quantity ?? '0');
  }

  /**
   * The sealed period's usage with every correction applied after its seal (this one included), its aggregate
   * locked so that concurrent corrections of the period are checked against each other.
   */
  private async usageAfterSeal(
    manager: EntityManager,
    correction: CorrectionEvent,
    period: string,
  ): Promise<bigint> {
    const group = [period, correction.subscriberId, correction.serviceId, correction.meter];
    await manager.query(
      `SELECT 1 FROM usage_aggregates
        WHERE period = $1 AND subscriber_id = $2 AND service_id = $3 AND meter = $4 FOR UPDATE`,
      group,
    );
    const [usage] = (await manager.query(
      `SELECT ((SELECT coalesce(sum(quantity), 0) FROM usage_aggregates
                 WHERE period = $1 AND subscriber_id = $2 AND service_id = $3 AND meter = $4)
             + (SELECT coalesce(sum(delta), 0) FROM usage_corrections
                 WHERE applied_after_seal AND period = $1 AND subscriber_id = $2 AND service_id = $3
                   AND meter = $4))::text AS quantity`,
      group,
    )) as { quantity: string }[];
    return BigInt(usage?.quantity ?? '0');
  }
}

function belowZero(quantity: string): Rejection {
  return {
    code: 'correction_exceeds_original',
    field: 'data.quantity',
    message: `would take the corrected event below zero (it counts ${quantity} before this)`,
  };
}

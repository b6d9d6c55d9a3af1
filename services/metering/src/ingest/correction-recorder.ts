import { Injectable } from '@nestjs/common';
import { ClosedPeriodUsageCorrectedV1, createEvent, UsageCorrectedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { lockPeriodsForUsage } from '../periods/period-lock.js';
import { UsageAnnouncements } from '../periods/usage-announcements.js';
import { UsagePartitions } from '../periods/usage-partitions.js';
import { usageRecordedOf } from '../periods/usage-recorded-events.js';
import { type CorrectedEvent, CorrectionsRepository, type EventIdentity } from './corrections.repository.js';
import { eventDigest } from './event-digest.js';
import { type CorrectionEvent, type Rejection } from './usage-event.js';

const SOURCE = { source: '/onecommons/metering' };

/** A rule broken inside the transaction: it rolls back, and the client gets the rejection. */
class CorrectionRefused extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
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
    private readonly corrections: CorrectionsRepository,
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
    if (!(await this.corrections.add(manager, correction, original, sealed))) return 'duplicate';
    const net = await this.corrections.netOf(manager, correction, original.quantity);
    if (net < 0n) throw new CorrectionRefused(belowZero(original.quantity));
    const usage = sealed
      ? await this.corrections.lockedUsageAfterSeal(manager, correction, original.period)
      : await this.corrections.addToAggregate(manager, correction, original.period);
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
    const corrects = { ...correction.corrects, quantity: original.quantity.toString() };
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
  private async lockOriginal(
    manager: EntityManager,
    correction: CorrectionEvent,
  ): Promise<CorrectedEvent & { readonly digest: Buffer }> {
    const { serviceId } = correction;
    const digest = eventDigest({ serviceId, ...correction.corrects });
    // Found by its digest, then its full identity compared (see eventDigest).
    const identity: EventIdentity = [digest, serviceId, correction.corrects.source, correction.corrects.id];
    const located = await this.corrections.periodOf(manager, identity);
    // Detached (archived), or past the window but not detached yet: either way no longer corrected.
    const archived = located !== null ? null : await this.corrections.archivedPeriodOf(manager, identity);
    const oldest = this.partitions.oldestCorrectable(new Date());
    if (archived !== null || (located !== null && located < oldest))
      throw new CorrectionRefused({
        code: 'correction_window_passed',
        field: 'data.corrects',
        message: `the corrected event is in ${archived ?? located}, past the correction window (periods from ${oldest} may be corrected): its usage is archived`,
      });
    if (located !== null) await lockPeriodsForUsage(manager, [located]);
    const original = located !== null ? await this.corrections.lockEvent(manager, identity) : null;
    if (
      !original ||
      original.subscriberId !== correction.subscriberId ||
      original.serviceId !== correction.serviceId ||
      original.meter !== correction.meter
    )
      throw new CorrectionRefused({
        code: 'unknown_original',
        field: 'data.corrects',
        message: 'no accepted usage event with this source and id for this subscriber, service and meter',
      });
    return { ...original, digest };
  }
}

function belowZero(quantity: bigint): Rejection {
  return {
    code: 'correction_exceeds_original',
    field: 'data.quantity',
    message: `would take the corrected event below zero (it counts ${quantity} before this)`,
  };
}

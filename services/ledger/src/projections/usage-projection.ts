import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, UsageRecordedV2 } from '@onecommons/contracts';
import { type EventBatchContext, OnEventBatch } from '@onecommons/kafka';
import { foldUsage } from './usage-fold.js';
import { holdPeriodUsage } from './usage-watermark.js';
import { UsageRepository } from './usage.repository.js';

/**
 * Usage per (period, subscriber, service, meter), folded from metering's UsageRecorded deltas (which already
 * include corrections: metering's UsageCorrected is for statements, so it is not added a second time). Each
 * applied event is counted for each period it names (the idempotent consumer applies an event id once), so a close can
 * tell it has everything metering announced for the period (its watermark). A chunk of events is folded into
 * one upsert of the counts and one of the quantities, under the usage lock of each period it touches.
 */
@Injectable()
export class UsageProjection {
  constructor(private readonly usage: UsageRepository) {}

  @OnEventBatch(UsageRecordedV2)
  async onUsageRecorded(
    events: readonly CloudEvent<DataOf<typeof UsageRecordedV2>>[],
    context: EventBatchContext,
  ): Promise<void> {
    const { announcementsPerPeriod, deltas } = foldUsage(events.map((event) => event.data));
    for (const period of [...announcementsPerPeriod.keys()].sort()) {
      await holdPeriodUsage(context.manager, period, 'apply');
    }
    await this.usage.countApplied(context.manager, context.partition, announcementsPerPeriod);
    if (deltas.length === 0) return;
    await this.usage.addQuantities(context.manager, deltas);
  }
}

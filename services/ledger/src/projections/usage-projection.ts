import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, UsageRecordedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { countAppliedUsage, holdPeriodUsage } from './usage-watermark.js';

/**
 * Usage per (period, subscriber, service, meter), folded from metering's UsageRecorded deltas (which already
 * include corrections: metering's UsageCorrected is for statements, so it is not added a second time). Each
 * applied event is counted for its period (the idempotent consumer applies an event id once), so a close can
 * tell it has everything metering announced for the period (its watermark).
 */
@Injectable()
export class UsageProjection {
  @OnEvent(UsageRecordedV1)
  async onUsageRecorded(
    event: CloudEvent<DataOf<typeof UsageRecordedV1>>,
    context: EventContext,
  ): Promise<void> {
    const { subscriberId, period, usage } = event.data;
    await holdPeriodUsage(context.manager, period, 'apply');
    // Metering counts every UsageRecorded it publishes, an empty one too.
    await countAppliedUsage(context, period);
    if (usage.length === 0) return;
    await context.manager.query(
      `INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity)
       SELECT $1, $2, service_id, meter, sum(quantity)
         FROM unnest($3::uuid[], $4::text[], $5::numeric[]) AS t(service_id, meter, quantity)
        GROUP BY service_id, meter ORDER BY service_id, meter
       ON CONFLICT (period, subscriber_id, service_id, meter)
         DO UPDATE SET quantity = usage_quantities.quantity + EXCLUDED.quantity`,
      [
        period,
        subscriberId,
        usage.map((row) => row.serviceId),
        usage.map((row) => row.meter),
        usage.map((row) => row.quantity),
      ],
    );
  }
}

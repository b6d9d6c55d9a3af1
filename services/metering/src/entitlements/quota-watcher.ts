import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  type DataOf,
  QuotaExceededV1,
  QuotaWarningV1,
  UsageRecordedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent, OutboxWriter } from '@onecommons/kafka';
import { Entitlements } from './entitlements.service.js';

/**
 * Watches metering's own accepted usage (off the ingestion path) and announces a subscriber crossing 80%
 * and 100% of a plan limit, once per (period, meter, threshold) however often usage is redelivered.
 */
@Injectable()
export class QuotaWatcher {
  constructor(
    private readonly entitlements: Entitlements,
    private readonly outbox: OutboxWriter,
  ) {}

  @OnEvent(UsageRecordedV1)
  async onUsageRecorded(
    event: CloudEvent<DataOf<typeof UsageRecordedV1>>,
    context: EventContext,
  ): Promise<void> {
    const { subscriberId, period } = event.data;
    const crossings = await this.entitlements.newCrossings(context.manager, subscriberId, period);
    const crossedAt = new Date().toISOString();
    await this.outbox.append(
      context.manager,
      crossings.map((crossing) =>
        createEvent(
          crossing.thresholdPercent >= 100 ? QuotaExceededV1 : QuotaWarningV1,
          {
            subscriberId,
            period,
            meter: crossing.meter,
            plan: crossing.plan,
            limit: crossing.limit.toString(),
            used: crossing.used.toString(),
            thresholdPercent: crossing.thresholdPercent,
            crossedAt,
          },
          { source: '/onecommons/metering' },
        ),
      ),
    );
  }
}

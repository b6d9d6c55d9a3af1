import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  type DataOf,
  QuotaExceededV1,
  QuotaWarningV1,
  UsageRecordedV2,
} from '@onecommons/contracts';
import { type EventBatchContext, OnEventBatch, OutboxWriter } from '@onecommons/kafka';
import { Entitlements } from './entitlements.service.js';
import { watchedOnce } from './quota-crossings.js';

/**
 * Watches metering's own accepted usage (off the ingestion path) and announces a subscriber crossing 80%
 * and 100% of a plan limit, once per (period, meter, threshold) however often usage is redelivered. A chunk of
 * usage is checked once per (subscriber, period) it touches.
 */
@Injectable()
export class QuotaWatcher {
  constructor(
    private readonly entitlements: Entitlements,
    private readonly outbox: OutboxWriter,
  ) {}

  @OnEventBatch(UsageRecordedV2)
  async onUsageRecorded(
    events: readonly CloudEvent<DataOf<typeof UsageRecordedV2>>[],
    context: EventBatchContext,
  ): Promise<void> {
    const watched = watchedOnce(events.flatMap((event) => event.data.subscribers));
    const crossings = await this.entitlements.newCrossings(context.manager, watched);
    const crossedAt = new Date().toISOString();
    await this.outbox.append(
      context.manager,
      crossings.map(({ subscriberId, period, meter, plan, limit, used, thresholdPercent }) =>
        createEvent(
          thresholdPercent >= 100 ? QuotaExceededV1 : QuotaWarningV1,
          {
            subscriberId,
            period,
            meter,
            plan,
            limit: limit.toString(),
            used: used.toString(),
            thresholdPercent,
            crossedAt,
          },
          { source: '/onecommons/metering' },
        ),
      ),
    );
  }
}

import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, ResourceUsageReportedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { UsageRepository } from './usage.repository.js';

/**
 * The provisioner's resource points per (period, service, provider): docs/money-rules.md step 2's provider weights.
 * Reports carry running totals, so the greatest seen is the truth, whatever the delivery order.
 */
@Injectable()
export class ResourceUsageProjection {
  constructor(private readonly usage: UsageRepository) {}

  @OnEvent(ResourceUsageReportedV1)
  async onResourceUsage(
    event: CloudEvent<DataOf<typeof ResourceUsageReportedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.usage.reportResourcePoints(context.manager, event.data);
  }
}

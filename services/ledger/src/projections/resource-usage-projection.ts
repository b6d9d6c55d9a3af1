import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, ResourceUsageReportedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/**
 * The provisioner's resource points per (period, service, provider): docs/money-rules.md step 2's provider weights.
 * Reports carry running totals, so the greatest seen is the truth, whatever the delivery order.
 */
@Injectable()
export class ResourceUsageProjection {
  @OnEvent(ResourceUsageReportedV1)
  async onResourceUsage(
    event: CloudEvent<DataOf<typeof ResourceUsageReportedV1>>,
    context: EventContext,
  ): Promise<void> {
    const { period, serviceId, providerId, points } = event.data;
    await context.manager.query(
      `INSERT INTO provider_resource_points (period, service_id, provider_id, points) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period, service_id, provider_id) DO UPDATE
         SET points = GREATEST(provider_resource_points.points, EXCLUDED.points)`,
      [period, serviceId, providerId, points],
    );
  }
}

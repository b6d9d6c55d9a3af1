import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, ServiceCreatedV1, ServiceUpdatedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/** Identity's copy of catalog's services: which organization operates each, for service-bound API keys. */
@Injectable()
export class CatalogServicesProjection {
  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(
    event: CloudEvent<DataOf<typeof ServiceCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await upsertService(event.data, context);
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(
    event: CloudEvent<DataOf<typeof ServiceUpdatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await upsertService(event.data, context);
  }
}

async function upsertService(service: DataOf<typeof ServiceCreatedV1>, context: EventContext): Promise<void> {
  await context.manager.query(
    `INSERT INTO catalog_services (service_id, operator_id, status) VALUES ($1, $2, $3)
     ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, status = EXCLUDED.status`,
    [service.serviceId, service.operatorId, service.status],
  );
}

import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, ServiceCreatedV1, ServiceUpdatedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { CatalogServicesRepository } from './catalog-services.repository.js';

/** Identity's copy of catalog's services: which organization operates each, for service-bound API keys. */
@Injectable()
export class CatalogServicesProjection {
  constructor(private readonly services: CatalogServicesRepository) {}

  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(
    event: CloudEvent<DataOf<typeof ServiceCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.services.upsert(context.manager, event.data);
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(
    event: CloudEvent<DataOf<typeof ServiceUpdatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.services.upsert(context.manager, event.data);
  }
}

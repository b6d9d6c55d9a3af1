import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  MeterDefinedV2,
  ServiceCreatedV1,
  ServiceUpdatedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { CatalogFactsRepository } from './catalog-facts.repository.js';

/** Metering's copy of catalog's meters and services: what may be metered, and whose service it is. */
@Injectable()
export class CatalogFactsProjection {
  constructor(private readonly facts: CatalogFactsRepository) {}

  @OnEvent(MeterDefinedV2)
  async onMeterDefined(
    event: CloudEvent<DataOf<typeof MeterDefinedV2>>,
    context: EventContext,
  ): Promise<void> {
    await this.facts.upsertMeter(context.manager, event.data);
  }

  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(
    event: CloudEvent<DataOf<typeof ServiceCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.facts.upsertService(context.manager, event.data);
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(
    event: CloudEvent<DataOf<typeof ServiceUpdatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.facts.upsertService(context.manager, event.data);
  }
}

import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  MeterDefinedV1,
  ServiceCreatedV1,
  ServiceUpdatedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/** Metering's copy of catalog's meters and services: what may be metered, and whose service it is. */
@Injectable()
export class CatalogFactsProjection {
  @OnEvent(MeterDefinedV1)
  async onMeterDefined(
    event: CloudEvent<DataOf<typeof MeterDefinedV1>>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO meters (name, weight) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight`,
      [event.data.name, event.data.weight],
    );
  }

  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(
    event: CloudEvent<DataOf<typeof ServiceCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.upsertService(event.data, context);
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(
    event: CloudEvent<DataOf<typeof ServiceUpdatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.upsertService(event.data, context);
  }

  private async upsertService(
    service: DataOf<typeof ServiceCreatedV1>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO services (service_id, operator_id, status) VALUES ($1, $2, $3)
       ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, status = EXCLUDED.status`,
      [service.serviceId, service.operatorId, service.status],
    );
  }
}

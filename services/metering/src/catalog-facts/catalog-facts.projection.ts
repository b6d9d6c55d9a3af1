import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  MeterDefinedV2,
  ServiceCreatedV1,
  ServiceUpdatedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/** Metering's copy of catalog's meters and services: what may be metered, and whose service it is. */
@Injectable()
export class CatalogFactsProjection {
  @OnEvent(MeterDefinedV2)
  async onMeterDefined(
    event: CloudEvent<DataOf<typeof MeterDefinedV2>>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO meters (name, weight, unit, bound_per, bound_max) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight, unit = EXCLUDED.unit,
         bound_per = EXCLUDED.bound_per, bound_max = EXCLUDED.bound_max`,
      [event.data.name, event.data.weight, event.data.unit, event.data.bound.per, event.data.bound.max],
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

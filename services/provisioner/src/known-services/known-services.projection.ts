import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, ServiceCreatedV1, ServiceUpdatedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { TeardownRequests } from '../deployments/teardown-requests.js';
import { KnownServicesRepository } from './known-services.repository.js';

type ServiceState = DataOf<typeof ServiceCreatedV1>;

/**
 * The provisioner's own record of catalog's services and who operates each, so an operator can deploy only
 * its own services. A retired service's deployments are torn down.
 */
@Injectable()
export class KnownServicesProjection {
  constructor(
    private readonly services: KnownServicesRepository,
    private readonly teardowns: TeardownRequests,
  ) {}

  @OnEvent(ServiceCreatedV1)
  async onCreated(event: CloudEvent<ServiceState>, context: EventContext): Promise<void> {
    await this.upsert(event.data, context);
  }

  @OnEvent(ServiceUpdatedV1)
  async onUpdated(event: CloudEvent<ServiceState>, context: EventContext): Promise<void> {
    await this.upsert(event.data, context);
    if (event.data.status === 'retired')
      await this.teardowns.requestForService(context.manager, event.data.serviceId);
  }

  private async upsert(service: ServiceState, context: EventContext): Promise<void> {
    await this.services.upsert(context.manager, service);
  }
}

import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type CloudEvent, uuidV7 } from '@onecommons/contracts';
import { type EventContext, EventHandlerRegistry } from '@onecommons/kafka';
import { DeliverableTypes } from '../event-types/deliverable-types.js';
import { AfterCommit } from '@onecommons/service-kit';
import { EndpointsRepository } from '../endpoints/endpoints.repository.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryQueue } from './delivery-queue.js';

/**
 * Turns each deliverable event into one delivery per enabled endpoint that subscribed to it and may
 * receive it, in the transaction that records the event as processed: a redelivered event adds nothing,
 * a crash loses nothing. Jobs are queued after the commit. Subscribes to every declared deliverable
 * event (libs/contracts WEBHOOK_DELIVERABLE_EVENTS), like an `@OnEvent` handler per contract.
 */
@Injectable()
export class DeliveryFanout implements OnModuleInit {
  constructor(
    private readonly registry: EventHandlerRegistry,
    private readonly types: DeliverableTypes,
    private readonly endpoints: EndpointsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly afterCommit: AfterCommit,
    private readonly queue: DeliveryQueue,
  ) {}

  onModuleInit(): void {
    for (const { contract } of this.types.all)
      this.registry.register(`DeliveryFanout.${contract.type}`, contract, (event, context) =>
        this.fanOut(event, context),
      );
  }

  async fanOut(event: CloudEvent, context: EventContext): Promise<void> {
    const { everyone, organizations } = this.types.recipientsOf(event);
    const endpointIds = await this.endpoints.subscribedTo(
      context.manager,
      event.type,
      everyone,
      organizations,
    );
    if (endpointIds.length === 0) return;
    const created = await this.deliveries.createForEvent(context.manager, {
      ids: endpointIds.map(() => uuidV7()),
      endpointIds,
      eventId: event.id,
      eventType: event.type,
      body: JSON.stringify(event),
    });
    this.afterCommit.schedule(context.manager, async () => {
      for (const id of created) await this.queue.enqueue(id);
    });
  }
}

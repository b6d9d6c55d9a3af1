import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type CloudEvent, uuidV7 } from '@onecommons/contracts';
import { type EventContext, EventHandlerRegistry } from '@onecommons/kafka';
import { DeliverableTypes } from '../event-types/deliverable-types.js';
import { AfterCommit } from '@onecommons/service-kit';
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
    const endpoints = (await context.manager.query(
      `SELECT id FROM endpoints
        WHERE enabled AND $1 = ANY(event_types) AND (organization_id IS NULL OR $2 OR organization_id = ANY($3::uuid[]))
        ORDER BY id`,
      [event.type, everyone, organizations],
    )) as { id: string }[];
    if (endpoints.length === 0) return;
    const rows = (await context.manager.query(
      `INSERT INTO deliveries (id, endpoint_id, event_id, event_type, body, status, next_attempt_at)
       SELECT delivery.id, delivery.endpoint_id, $3, $4, $5, 'pending', now()
         FROM unnest($1::uuid[], $2::uuid[]) AS delivery(id, endpoint_id)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING
       RETURNING id`,
      [
        endpoints.map(() => uuidV7()),
        endpoints.map((endpoint) => endpoint.id),
        event.id,
        event.type,
        JSON.stringify(event),
      ],
    )) as { id: string }[];
    this.afterCommit.schedule(context.manager, async () => {
      for (const { id } of rows) await this.queue.enqueue(id);
    });
  }
}

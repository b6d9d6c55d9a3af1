import { Injectable } from '@nestjs/common';
import { decodeCursor, type Page, pageOf } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { EndpointsService } from '../endpoints/endpoints.service.js';
import { type EndpointOwner } from '../event-types/deliverable-types.js';
import { AfterCommit } from '@onecommons/service-kit';
import { WebhooksError } from '../webhooks-errors.js';
import {
  type AttemptDto,
  type DeliveryDetailDto,
  type DeliveryDto,
  type DeliveryListQuery,
} from './deliveries.dto.js';
import { DeliveriesRepository, type Delivery, type DeliveryAttempt } from './deliveries.repository.js';
import { DeliveryQueue } from './delivery-queue.js';

const notFound = () => WebhooksError.notFound('delivery_not_found', 'No such delivery for this endpoint.');

/** The delivery log of an endpoint (every attempt) and manual redelivery, for the endpoint's owner only. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deliveries: DeliveriesRepository,
    private readonly endpoints: EndpointsService,
    private readonly afterCommit: AfterCommit,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(owner: EndpointOwner, endpointId: string, query: DeliveryListQuery): Promise<Page<DeliveryDto>> {
    await this.endpoints.find(this.dataSource.manager, owner, endpointId);
    const deliveries = await this.deliveries.pageOfEndpoint(
      this.dataSource.manager,
      endpointId,
      { afterId: decodeCursor(query.cursor), status: query.status ?? null },
      query.limit + 1,
    );
    return pageOf(deliveries, query.limit, toDeliveryDto);
  }

  async get(owner: EndpointOwner, endpointId: string, deliveryId: string): Promise<DeliveryDetailDto> {
    await this.endpoints.find(this.dataSource.manager, owner, endpointId);
    const delivery = await this.find(this.dataSource.manager, endpointId, deliveryId);
    const attempts = await this.deliveries.attemptsOf(this.dataSource.manager, deliveryId);
    return { ...toDeliveryDto(delivery), attemptLog: attempts.map(toAttemptDto) };
  }

  /** Sends a delivery again now (whatever its state), restarting the retry schedule; the webhook-id stays. */
  async redeliver(owner: EndpointOwner, endpointId: string, deliveryId: string): Promise<DeliveryDto> {
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.endpoints.find(manager, owner, endpointId, true);
      if (!endpoint.enabled)
        throw WebhooksError.conflict('endpoint_disabled', 'Enable the endpoint before redelivering to it.');
      const current = await this.find(manager, endpointId, deliveryId, true);
      if (current.leaseUntil && current.leaseUntil > new Date())
        throw WebhooksError.conflict(
          'attempt_in_progress',
          'An attempt of this delivery is under way; retry shortly.',
        );
      const delivery = await this.deliveries.redeliverNow(manager, deliveryId);
      this.afterCommit.schedule(manager, () => this.queue.wake(deliveryId));
      return toDeliveryDto(delivery);
    });
  }

  private async find(
    manager: EntityManager,
    endpointId: string,
    deliveryId: string,
    lock = false,
  ): Promise<Delivery> {
    const delivery = await this.deliveries.ofEndpoint(manager, endpointId, deliveryId, lock);
    if (!delivery) throw notFound();
    return delivery;
  }
}

function toDeliveryDto(delivery: Delivery): DeliveryDto {
  return {
    id: delivery.id,
    endpointId: delivery.endpointId,
    webhookId: delivery.id,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    lastError: delivery.lastError,
    createdAt: delivery.createdAt.toISOString(),
    updatedAt: delivery.updatedAt.toISOString(),
  };
}

function toAttemptDto(attempt: DeliveryAttempt): AttemptDto {
  return {
    number: attempt.number,
    trigger: attempt.trigger,
    outcome: attempt.outcome,
    statusCode: attempt.statusCode,
    durationMs: attempt.durationMs,
    error: attempt.error,
    responseExcerpt: attempt.responseExcerpt,
    attemptedAt: attempt.attemptedAt.toISOString(),
  };
}

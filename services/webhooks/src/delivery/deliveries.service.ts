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
  type DeliveryStatus,
} from './deliveries.dto.js';
import { DeliveryQueue } from './delivery-queue.js';

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  lease_until: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

interface AttemptRow {
  number: number;
  trigger: AttemptDto['trigger'];
  outcome: AttemptDto['outcome'];
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  attempted_at: Date;
}

const COLUMNS = `id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, lease_until, last_error,
  created_at, updated_at`;

const notFound = () => WebhooksError.notFound('delivery_not_found', 'No such delivery for this endpoint.');

/** The delivery log of an endpoint (every attempt) and manual redelivery, for the endpoint's owner only. */
@Injectable()
export class DeliveriesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly endpoints: EndpointsService,
    private readonly afterCommit: AfterCommit,
    private readonly queue: DeliveryQueue,
  ) {}

  async list(owner: EndpointOwner, endpointId: string, query: DeliveryListQuery): Promise<Page<DeliveryDto>> {
    await this.endpoints.find(this.dataSource.manager, owner, endpointId);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM deliveries
        WHERE endpoint_id = $1 AND ($2::uuid IS NULL OR id > $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY id LIMIT $4`,
      [endpointId, decodeCursor(query.cursor), query.status ?? null, query.limit + 1],
    )) as DeliveryRow[];
    return pageOf(rows, query.limit, toDeliveryDto);
  }

  async get(owner: EndpointOwner, endpointId: string, deliveryId: string): Promise<DeliveryDetailDto> {
    await this.endpoints.find(this.dataSource.manager, owner, endpointId);
    const row = await this.find(this.dataSource.manager, endpointId, deliveryId);
    const attempts = (await this.dataSource.query(
      `SELECT number, trigger, outcome, status_code, duration_ms, error, response_excerpt, attempted_at
         FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number`,
      [deliveryId],
    )) as AttemptRow[];
    return { ...toDeliveryDto(row), attemptLog: attempts.map(toAttemptDto) };
  }

  /** Sends a delivery again now (whatever its state), restarting the retry schedule; the webhook-id stays. */
  async redeliver(owner: EndpointOwner, endpointId: string, deliveryId: string): Promise<DeliveryDto> {
    return this.dataSource.transaction(async (manager) => {
      const endpoint = await this.endpoints.find(manager, owner, endpointId, true);
      if (!endpoint.enabled)
        throw WebhooksError.conflict('endpoint_disabled', 'Enable the endpoint before redelivering to it.');
      const current = await this.find(manager, endpointId, deliveryId, true);
      if (current.lease_until && current.lease_until > new Date())
        throw WebhooksError.conflict(
          'attempt_in_progress',
          'An attempt of this delivery is under way; retry shortly.',
        );
      const [[row]] = (await manager.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), round_attempts = 0, manual = true,
                updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [deliveryId],
      )) as [DeliveryRow[], number];
      this.afterCommit.schedule(manager, () => this.queue.wake(deliveryId));
      return toDeliveryDto(row as DeliveryRow);
    });
  }

  private async find(
    manager: EntityManager,
    endpointId: string,
    deliveryId: string,
    lock = false,
  ): Promise<DeliveryRow> {
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM deliveries WHERE id = $1 AND endpoint_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [deliveryId, endpointId],
    )) as DeliveryRow[];
    if (!row) throw notFound();
    return row;
  }
}

function toDeliveryDto(row: DeliveryRow): DeliveryDto {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    webhookId: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at?.toISOString() ?? null,
    lastError: row.last_error,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toAttemptDto(row: AttemptRow): AttemptDto {
  return {
    number: row.number,
    trigger: row.trigger,
    outcome: row.outcome,
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    attemptedAt: row.attempted_at.toISOString(),
  };
}

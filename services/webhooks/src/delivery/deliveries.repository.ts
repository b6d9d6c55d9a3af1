import { Injectable } from '@nestjs/common';
import { queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type AttemptDto, DELIVERY_STATUSES, type DeliveryStatus } from './deliveries.dto.js';

export interface Delivery {
  readonly id: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date | null;
  /** Until then a worker is making an attempt. */
  readonly leaseUntil: Date | null;
  readonly lastError: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface DeliveryAttempt {
  readonly number: number;
  readonly trigger: AttemptDto['trigger'];
  readonly outcome: AttemptDto['outcome'];
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
  readonly attemptedAt: Date;
}

export type NewDeliveryAttempt = Omit<DeliveryAttempt, 'attemptedAt'> & {
  readonly id: string;
  readonly deliveryId: string;
};

/** A delivery a worker leased for one attempt, with what the attempt needs of its endpoint. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly body: string;
  readonly attempts: number;
  readonly roundAttempts: number;
  readonly manual: boolean;
  readonly endpointId: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly secretSealed: string;
  /** Null unless a rotation's previous secret still signs. */
  readonly previousSecretSealed: string | null;
}

/** Where a delivery stands after an attempt. */
export interface DeliveryProgress {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly roundAttempts: number;
  readonly nextAttemptAt: Date | null;
  readonly lastError: string | null;
}

/** The deliveries of one event, one per endpoint; `body` is the event as sent, byte for byte. */
export interface EventDeliveries {
  readonly ids: readonly string[];
  readonly endpointIds: readonly string[];
  readonly eventId: string;
  readonly eventType: string;
  readonly body: string;
}

export interface Backlog {
  /** Attempts due and not being made. */
  readonly due: number;
  /** Since when the longest-waiting of them is due; 0 when none is. */
  readonly oldestSeconds: number;
}

const COLUMNS = `id, endpoint_id, event_id, event_type, status, attempts, next_attempt_at, lease_until, last_error,
  created_at, updated_at`;

const deliveryRow = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    event_id: z.string(),
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    next_attempt_at: z.date().nullable(),
    lease_until: z.date().nullable(),
    last_error: z.string().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .transform((row): Delivery => ({
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));

const attemptRow = z
  .object({
    number: z.number().int(),
    trigger: z.enum(['automatic', 'manual']),
    outcome: z.enum(['succeeded', 'failed', 'refused']),
    status_code: z.number().int().nullable(),
    duration_ms: z.number().int(),
    error: z.string().nullable(),
    response_excerpt: z.string().nullable(),
    attempted_at: z.date(),
  })
  .transform((row): DeliveryAttempt => ({
    number: row.number,
    trigger: row.trigger,
    outcome: row.outcome,
    statusCode: row.status_code,
    durationMs: row.duration_ms,
    error: row.error,
    responseExcerpt: row.response_excerpt,
    attemptedAt: row.attempted_at,
  }));

const claimedRow = z
  .object({
    id: z.string(),
    body: z.string(),
    attempts: z.number().int(),
    round_attempts: z.number().int(),
    manual: z.boolean(),
    endpoint_id: z.string(),
    url: z.string(),
    enabled: z.boolean(),
    secret_sealed: z.string(),
    previous_secret_sealed: z.string().nullable(),
  })
  .transform((row): ClaimedDelivery => ({
    id: row.id,
    body: row.body,
    attempts: row.attempts,
    roundAttempts: row.round_attempts,
    manual: row.manual,
    endpointId: row.endpoint_id,
    url: row.url,
    enabled: row.enabled,
    secretSealed: row.secret_sealed,
    previousSecretSealed: row.previous_secret_sealed,
  }));

const wakeAtRow = z.object({ wake_at: z.date() });

const idRow = z.object({ id: z.string() });

const backlogRow = z
  .object({ due: z.number().int(), oldest_seconds: z.number() })
  .transform((row): Backlog => ({ due: row.due, oldestSeconds: row.oldest_seconds }));

/**
 * The delivery feature's tables: deliveries (one per endpoint and event, with its retry schedule and the lease
 * of the attempt under way) and delivery_attempts (the log of every attempt).
 */
@Injectable()
export class DeliveriesRepository {
  /** The deliveries of an event, due now; ids of those that did not exist yet (a redelivered event adds none). */
  async createForEvent(manager: EntityManager, deliveries: EventDeliveries): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'deliveries.createForEvent',
        row: idRow,
        sql: `INSERT INTO deliveries (id, endpoint_id, event_id, event_type, body, status, next_attempt_at)
       SELECT delivery.id, delivery.endpoint_id, $3, $4, $5, 'pending', now()
         FROM unnest($1::uuid[], $2::uuid[]) AS delivery(id, endpoint_id)
       ON CONFLICT (endpoint_id, event_id) DO NOTHING
       RETURNING id`,
      },
      [deliveries.ids, deliveries.endpointIds, deliveries.eventId, deliveries.eventType, deliveries.body],
    );
    return rows.map((row) => row.id);
  }

  /** At most `limit` of the endpoint's deliveries in id order, after `afterId`, with the status if one is given. */
  async pageOfEndpoint(
    manager: EntityManager,
    endpointId: string,
    query: { readonly afterId: string | null; readonly status: DeliveryStatus | null },
    limit: number,
  ): Promise<Delivery[]> {
    return queryRows(
      manager,
      {
        name: 'deliveries.pageOfEndpoint',
        row: deliveryRow,
        sql: `SELECT ${COLUMNS} FROM deliveries
        WHERE endpoint_id = $1 AND ($2::uuid IS NULL OR id > $2) AND ($3::text IS NULL OR status = $3)
        ORDER BY id LIMIT $4`,
      },
      [endpointId, query.afterId, query.status, limit],
    );
  }

  /** The endpoint's delivery (locked until the transaction ends when `lock` is set); null when it has none such. */
  async ofEndpoint(
    manager: EntityManager,
    endpointId: string,
    deliveryId: string,
    lock: boolean,
  ): Promise<Delivery | null> {
    const [delivery] = await queryRows(
      manager,
      {
        name: 'deliveries.ofEndpoint',
        row: deliveryRow,
        sql: `SELECT ${COLUMNS} FROM deliveries WHERE id = $1 AND endpoint_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      },
      [deliveryId, endpointId],
    );
    return delivery ?? null;
  }

  /** The delivery's attempts, first first. */
  async attemptsOf(manager: EntityManager, deliveryId: string): Promise<DeliveryAttempt[]> {
    return queryRows(
      manager,
      {
        name: 'deliveries.attemptsOf',
        row: attemptRow,
        sql: `SELECT number, trigger, outcome, status_code, duration_ms, error, response_excerpt, attempted_at
         FROM delivery_attempts WHERE delivery_id = $1 ORDER BY number`,
      },
      [deliveryId],
    );
  }

  /** Makes the delivery due now on a new retry schedule, its next attempt marked as asked for by the owner. */
  async redeliverNow(manager: EntityManager, deliveryId: string): Promise<Delivery> {
    return queryOne(
      manager,
      {
        name: 'deliveries.redeliverNow',
        row: deliveryRow,
        sql: `UPDATE deliveries SET status = 'pending', next_attempt_at = now(), round_attempts = 0, manual = true,
                updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [deliveryId],
    );
  }

  /** At most `limit` pending deliveries due and not leased, longest due first. */
  async dueUnleased(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'deliveries.dueUnleased',
        row: idRow,
        sql: `SELECT id FROM deliveries
            WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())
            ORDER BY next_attempt_at LIMIT $1`,
      },
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** The deliveries due and not being attempted, counted now. */
  async backlog(manager: EntityManager): Promise<Backlog> {
    return queryOne(
      manager,
      {
        name: 'deliveries.backlog',
        row: backlogRow,
        sql: `SELECT count(*)::int AS due,
              coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8 AS oldest_seconds
         FROM deliveries
        WHERE status = 'pending' AND next_attempt_at <= now() AND (lease_until IS NULL OR lease_until < now())`,
      },
      [],
    );
  }

  /**
   * Leases the delivery for `leaseSeconds` if it is pending, due and not leased, so that no other worker
   * attempts it meanwhile; null when it is not.
   */
  async claim(
    manager: EntityManager,
    deliveryId: string,
    leaseSeconds: number,
  ): Promise<ClaimedDelivery | null> {
    const [claimed] = await queryRows(
      manager,
      {
        name: 'deliveries.claim',
        row: claimedRow,
        sql: `UPDATE deliveries AS d SET lease_until = now() + make_interval(secs => $2)
         FROM endpoints AS e
        WHERE d.id = $1 AND e.id = d.endpoint_id AND d.status = 'pending' AND d.next_attempt_at <= now()
          AND (d.lease_until IS NULL OR d.lease_until < now())
       RETURNING d.id, d.body, d.attempts, d.round_attempts, d.manual, d.endpoint_id, e.url, e.enabled,
                 e.secret_sealed,
                 CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret_sealed END
                   AS previous_secret_sealed`,
      },
      [deliveryId, leaseSeconds],
    );
    return claimed ?? null;
  }

  /** When a pending delivery is to be looked at again (due, or its lease over); null when it is not pending. */
  async wakeAt(manager: EntityManager, deliveryId: string): Promise<Date | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'deliveries.wakeAt',
        row: wakeAtRow,
        sql: `SELECT GREATEST(next_attempt_at, lease_until) AS wake_at FROM deliveries
        WHERE id = $1 AND status = 'pending'`,
      },
      [deliveryId],
    );
    return row?.wake_at ?? null;
  }

  /** Gives a claimed delivery up: its endpoint is disabled. */
  async failForDisabledEndpoint(manager: EntityManager, deliveryId: string): Promise<void> {
    await manager.query(
      `UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, lease_until = NULL, manual = false,
                last_error = 'endpoint disabled', updated_at = now() WHERE id = $1`,
      [deliveryId],
    );
  }

  async logAttempt(manager: EntityManager, attempt: NewDeliveryAttempt): Promise<void> {
    await manager.query(
      `INSERT INTO delivery_attempts (id, delivery_id, number, trigger, outcome, status_code, duration_ms, error,
                                        response_excerpt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        attempt.id,
        attempt.deliveryId,
        attempt.number,
        attempt.trigger,
        attempt.outcome,
        attempt.statusCode,
        attempt.durationMs,
        attempt.error,
        attempt.responseExcerpt,
      ],
    );
  }

  /** Ends the attempt's lease and records where the delivery stands after it. */
  async recordAttempt(manager: EntityManager, deliveryId: string, progress: DeliveryProgress): Promise<void> {
    await manager.query(
      `UPDATE deliveries SET status = $2, attempts = $3, round_attempts = $4, next_attempt_at = $5, lease_until = NULL,
                manual = false, last_error = $6, updated_at = now()
          WHERE id = $1`,
      [
        deliveryId,
        progress.status,
        progress.attempts,
        progress.roundAttempts,
        progress.nextAttemptAt,
        progress.lastError,
      ],
    );
  }
}

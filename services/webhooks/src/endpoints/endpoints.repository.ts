import { Injectable } from '@nestjs/common';
import { queryOne, queryRows, queryAffected } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export type DisabledReason = 'manual' | 'gone';

export interface Endpoint {
  readonly id: string;
  /** null: the platform's endpoint. */
  readonly organizationId: string | null;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: string[];
  readonly enabled: boolean;
  readonly disabledReason: DisabledReason | null;
  /** Null unless a rotation's previous secret still signs. */
  readonly previousSecretExpiresAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewEndpoint {
  readonly id: string;
  readonly organizationId: string | null;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly secretSealed: string;
  readonly createdBy: string;
}

/** What an owner may change of an endpoint. */
export interface EndpointSettings {
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  readonly enabled: boolean;
  readonly disabledReason: DisabledReason | null;
}

const COLUMNS = `id, organization_id, url, description, event_types, enabled, disabled_reason,
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at,
  created_at, updated_at`;

const endpointRow = z
  .object({
    id: z.string(),
    organization_id: z.string().nullable(),
    url: z.string(),
    description: z.string(),
    event_types: z.array(z.string()),
    enabled: z.boolean(),
    disabled_reason: z.enum(['manual', 'gone']).nullable(),
    previous_secret_expires_at: z.date().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .transform((row): Endpoint => ({
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));

const countRow = z.object({ count: z.number().int() });

const idRow = z.object({ id: z.string() });

/**
 * The endpoints table: partners' endpoints, their sealed signing secrets and whether they are enabled. An
 * owner scope is an organization's id (its endpoints only) or null (every endpoint: the platform's admins).
 */
@Injectable()
export class EndpointsRepository {
  async create(manager: EntityManager, endpoint: NewEndpoint): Promise<Endpoint> {
    return queryOne(
      manager,
      {
        name: 'endpoints.create',
        row: endpointRow,
        sql: `INSERT INTO endpoints (id, organization_id, url, description, event_types, secret_sealed, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      },
      [
        endpoint.id,
        endpoint.organizationId,
        endpoint.url,
        endpoint.description,
        endpoint.eventTypes,
        endpoint.secretSealed,
        endpoint.createdBy,
      ],
    );
  }

  /** Makes registrations of an organization's (or the platform's) endpoints wait for each other until commit. */
  async lockRegistrationsOf(manager: EntityManager, organizationId: string | null): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `webhooks.endpoints:${organizationId ?? 'platform'}`,
    ]);
  }

  /** How many endpoints the organization has (null: the platform's own). */
  async countOf(manager: EntityManager, organizationId: string | null): Promise<number> {
    const { count } = await queryOne(
      manager,
      {
        name: 'endpoints.countOf',
        row: countRow,
        sql: `SELECT count(*)::int AS count FROM endpoints
        WHERE organization_id IS NOT DISTINCT FROM $1::uuid`,
      },
      [organizationId],
    );
    return count;
  }

  /** At most `limit` endpoints in the scope, in id order, after the one the previous page ended with. */
  async page(
    manager: EntityManager,
    scope: string | null,
    afterId: string | null,
    limit: number,
  ): Promise<Endpoint[]> {
    return queryRows(
      manager,
      {
        name: 'endpoints.page',
        row: endpointRow,
        sql: `SELECT ${COLUMNS} FROM endpoints
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::uuid IS NULL OR organization_id = $2)
        ORDER BY id LIMIT $3`,
      },
      [afterId, scope, limit],
    );
  }

  /** The endpoint if it is in the scope (locked until the transaction ends when `lock` is set); else null. */
  async inScope(
    manager: EntityManager,
    scope: string | null,
    endpointId: string,
    lock: boolean,
  ): Promise<Endpoint | null> {
    const [endpoint] = await queryRows(
      manager,
      {
        name: 'endpoints.inScope',
        row: endpointRow,
        sql: `SELECT ${COLUMNS} FROM endpoints WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2)
       ${lock ? 'FOR UPDATE' : ''}`,
      },
      [endpointId, scope],
    );
    return endpoint ?? null;
  }

  async update(manager: EntityManager, endpointId: string, settings: EndpointSettings): Promise<Endpoint> {
    return queryOne(
      manager,
      {
        name: 'endpoints.update',
        row: endpointRow,
        sql: `UPDATE endpoints SET url = $2, description = $3, event_types = $4, enabled = $5, disabled_reason = $6,
                updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [
        endpointId,
        settings.url,
        settings.description,
        settings.eventTypes,
        settings.enabled,
        settings.disabledReason,
      ],
    );
  }

  /** The new secret signs from now; the current one keeps signing beside it for `graceHours`. */
  async rotateSecret(
    manager: EntityManager,
    endpointId: string,
    secretSealed: string,
    graceHours: number,
  ): Promise<Endpoint> {
    return queryOne(
      manager,
      {
        name: 'endpoints.rotateSecret',
        row: endpointRow,
        sql: `UPDATE endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = $2,
                previous_secret_expires_at = now() + make_interval(hours => $3), updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [endpointId, secretSealed, graceHours],
    );
  }

  /** False when the scope has no such endpoint. Its deliveries go with it. */
  async delete(manager: EntityManager, scope: string | null, endpointId: string): Promise<boolean> {
    const deleted = await queryAffected(
      manager,
      'endpoints.delete',
      `DELETE FROM endpoints WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2)`,
      [endpointId, scope],
    );
    return deleted > 0;
  }

  /** Disables an endpoint whose receiver answered 410 Gone; false when it was disabled already. */
  async disableGone(manager: EntityManager, endpointId: string): Promise<boolean> {
    const disabled = await queryAffected(
      manager,
      'endpoints.disableGone',
      `UPDATE endpoints SET enabled = false, disabled_reason = 'gone', updated_at = now() WHERE id = $1 AND enabled`,
      [endpointId],
    );
    return disabled > 0;
  }

  /**
   * The enabled endpoints subscribed to the event type that may receive it: the platform's, and organizations'
   * when `everyone` or when they are among `organizationIds`; in id order.
   */
  async subscribedTo(
    manager: EntityManager,
    eventType: string,
    everyone: boolean,
    organizationIds: readonly string[],
  ): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'endpoints.subscribedTo',
        row: idRow,
        sql: `SELECT id FROM endpoints
        WHERE enabled AND $1 = ANY(event_types) AND (organization_id IS NULL OR $2 OR organization_id = ANY($3::uuid[]))
        ORDER BY id`,
      },
      [eventType, everyone, organizationIds],
    );
    return rows.map((row) => row.id);
  }
}

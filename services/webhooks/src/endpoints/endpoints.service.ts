import { Inject, Injectable } from '@nestjs/common';
import { uuidV7 } from '@onecommons/contracts';
import { decodeCursor, type Page, pageOf, type PageQuery, SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type WebhooksConfig } from '../config.js';
import { DeliverableTypes, type EndpointOwner } from '../event-types/deliverable-types.js';
import { TargetGuard, TargetRefusedError } from '../targets/target-guard.js';
import { WebhooksError } from '../webhooks-errors.js';
import {
  type CreateEndpointDto,
  type EndpointDto,
  type EndpointWithSecretDto,
  type UpdateEndpointDto,
} from './endpoints.dto.js';
import { generateSigningSecret, SecretSealer } from './signing-secrets.js';

interface EndpointRow {
  id: string;
  organization_id: string | null;
  url: string;
  description: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: 'manual' | 'gone' | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, organization_id, url, description, event_types, enabled, disabled_reason,
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at,
  created_at, updated_at`;

/** `organization_id` filter of an owner: an organization sees only its endpoints, admins see all. */
const scopeOf = (owner: EndpointOwner): string | null => (owner.kind === 'organization' ? owner.id : null);

const notFound = () => WebhooksError.notFound('endpoint_not_found', 'No such endpoint.');

/** Partners' endpoints: registered, listed, changed, disabled, their secret rotated, deleted. */
@Injectable()
export class EndpointsService {
  private readonly graceHours: number;
  private readonly maxEndpoints: number;

  constructor(
    private readonly dataSource: DataSource,
    private readonly types: DeliverableTypes,
    private readonly guard: TargetGuard,
    private readonly sealer: SecretSealer,
    @Inject(SERVICE_CONFIG) config: WebhooksConfig,
  ) {
    this.graceHours = config.WEBHOOKS_SECRET_ROTATION_GRACE_HOURS;
    this.maxEndpoints = config.WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION;
  }

  async create(
    owner: EndpointOwner,
    actor: string,
    input: CreateEndpointDto,
  ): Promise<EndpointWithSecretDto> {
    this.checkEventTypes(owner, input.eventTypes);
    const url = await this.vetUrl(input.url);
    const id = uuidV7();
    const secret = generateSigningSecret();
    return this.dataSource.transaction(async (manager) => {
      await this.checkEndpointBound(manager, owner);
      const [row] = (await manager.query(
        `INSERT INTO endpoints (id, organization_id, url, description, event_types, secret_sealed, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [id, scopeOf(owner), url, input.description, input.eventTypes, this.sealer.seal(secret, id), actor],
      )) as EndpointRow[];
      return { ...toEndpointDto(row as EndpointRow), secret };
    });
  }

  /**
   * Refuses a new endpoint when its owner has WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION already. A transaction
   * lock per owner makes concurrent registrations count one after another, so they cannot overshoot.
   */
  private async checkEndpointBound(manager: EntityManager, owner: EndpointOwner): Promise<void> {
    const scope = scopeOf(owner);
    await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `webhooks.endpoints:${scope ?? 'platform'}`,
    ]);
    const [{ count }] = (await manager.query(
      `SELECT count(*)::int AS count FROM endpoints
        WHERE organization_id IS NOT DISTINCT FROM $1::uuid`,
      [scope],
    )) as [{ count: number }];
    if (count >= this.maxEndpoints)
      throw WebhooksError.conflict(
        'limit_reached',
        `An organization may have at most ${this.maxEndpoints} webhook endpoints; delete one first.`,
      );
  }

  async list(owner: EndpointOwner, query: PageQuery): Promise<Page<EndpointDto>> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM endpoints
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::uuid IS NULL OR organization_id = $2)
        ORDER BY id LIMIT $3`,
      [decodeCursor(query.cursor), scopeOf(owner), query.limit + 1],
    )) as EndpointRow[];
    return pageOf(rows, query.limit, toEndpointDto);
  }

  async get(owner: EndpointOwner, endpointId: string): Promise<EndpointDto> {
    return toEndpointDto(await this.find(this.dataSource.manager, owner, endpointId));
  }

  async update(owner: EndpointOwner, endpointId: string, input: UpdateEndpointDto): Promise<EndpointDto> {
    const url = input.url === undefined ? undefined : await this.vetUrl(input.url);
    return this.dataSource.transaction(async (manager) => {
      const current = await this.find(manager, owner, endpointId, true);
      const endpointOwner: EndpointOwner = current.organization_id
        ? { kind: 'organization', id: current.organization_id }
        : { kind: 'platform' };
      if (input.eventTypes) this.checkEventTypes(endpointOwner, input.eventTypes);
      const enabled = input.enabled ?? current.enabled;
      const disabledReason = enabled ? null : input.enabled === false ? 'manual' : current.disabled_reason;
      const [[row]] = (await manager.query(
        `UPDATE endpoints SET url = $2, description = $3, event_types = $4, enabled = $5, disabled_reason = $6,
                updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          endpointId,
          url ?? current.url,
          input.description ?? current.description,
          input.eventTypes ?? current.event_types,
          enabled,
          disabledReason,
        ],
      )) as [EndpointRow[], number];
      return toEndpointDto(row as EndpointRow);
    });
  }

  /** A new secret, shown once; the previous one keeps signing beside it for the grace period. */
  async rotateSecret(owner: EndpointOwner, endpointId: string): Promise<EndpointWithSecretDto> {
    return this.dataSource.transaction(async (manager) => {
      await this.find(manager, owner, endpointId, true);
      const secret = generateSigningSecret();
      const [[row]] = (await manager.query(
        `UPDATE endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = $2,
                previous_secret_expires_at = now() + make_interval(hours => $3), updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [endpointId, this.sealer.seal(secret, endpointId), this.graceHours],
      )) as [EndpointRow[], number];
      return { ...toEndpointDto(row as EndpointRow), secret };
    });
  }

  /** Deletes the endpoint with its delivery log; pending deliveries are dropped. */
  async delete(owner: EndpointOwner, endpointId: string): Promise<void> {
    const [, deleted] = (await this.dataSource.query(
      `DELETE FROM endpoints WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2)`,
      [endpointId, scopeOf(owner)],
    )) as [unknown, number];
    if (deleted === 0) throw notFound();
  }

  /** The endpoint if the owner may see it; another organization's endpoint is as absent as a missing one. */
  async find(
    manager: EntityManager,
    owner: EndpointOwner,
    endpointId: string,
    lock = false,
  ): Promise<EndpointRow> {
    const [row] = (await manager.query(
      `SELECT ${COLUMNS} FROM endpoints WHERE id = $1 AND ($2::uuid IS NULL OR organization_id = $2)
       ${lock ? 'FOR UPDATE' : ''}`,
      [endpointId, scopeOf(owner)],
    )) as EndpointRow[];
    if (!row) throw notFound();
    return row;
  }

  private checkEventTypes(owner: EndpointOwner, types: readonly string[]): void {
    const unknown = types.find((type) => !this.types.isKnown(type));
    if (unknown)
      throw WebhooksError.invalid(
        'unknown_event_type',
        `${unknown} is not a deliverable event type (see GET /api/webhooks/v1/event-types)`,
        'eventTypes',
      );
    const refused = types.find((type) => !this.types.maySubscribe(owner, type));
    if (refused)
      throw WebhooksError.forbidden(
        'event_type_not_allowed',
        `${refused} is delivered to platform admins only`,
        'eventTypes',
      );
  }

  private async vetUrl(raw: string): Promise<string> {
    try {
      return (await this.guard.vet(raw)).url.toString();
    } catch (error) {
      if (error instanceof TargetRefusedError) throw WebhooksError.invalid(error.code, error.message, 'url');
      throw error;
    }
  }
}

function toEndpointDto(row: EndpointRow): EndpointDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

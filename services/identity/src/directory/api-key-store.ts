import { Inject, Injectable } from '@nestjs/common';
import {
  apiKeyDisplayPrefix,
  ApiKeyRevocationEpoch,
  apiKeyHash,
  type ApiKeyPrincipal,
  type ApiKeyScope,
  type ApiKeySource,
  generateApiKey,
  type IntrospectedApiKey,
  isWellFormedApiKey,
  ORGANIZATION_KINDS,
  type OrganizationKind,
  type Principal,
} from '@onecommons/auth';
import { ApiKeyCreatedV1, ApiKeyRevokedV1, createEvent, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { decodeCursor, type Page, pageOf, type PageQuery, REDIS_CLIENT } from '@onecommons/service-kit';
import { type Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { type ApiKeyDto, type CreateApiKeyDto, type CreatedApiKeyDto } from '../api-keys/dto.js';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { ServiceOperators } from '../catalog-services/service-operators.js';
import { IdentityError } from '../identity-errors.js';

const SOURCE = { source: '/onecommons/identity' };

/** Writing `last_used_at` on every request would turn each API call into a write; once a minute is enough. */
const LAST_USED_RESOLUTION = '1 minute';

interface ApiKeyRow {
  id: string;
  organization_id: string;
  name: string;
  display_prefix: string;
  scopes: ApiKeyScope[];
  service_id: string | null;
  created_by: string;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/**
 * Which kinds of organization may hold keys of each scope: operators' services report usage; every kind
 * may manage webhooks (partners, and operators or providers integrating their own systems).
 */
const SCOPE_HOLDERS: Readonly<Record<ApiKeyScope, readonly OrganizationKind[]>> = {
  'metering:write': ['operator'],
  'webhooks:manage': ORGANIZATION_KINDS,
};

const COLUMNS = `id, organization_id, name, display_prefix, scopes, service_id, created_by, created_at,
  expires_at, revoked_at, last_used_at`;

/** API keys of organizations: made here, shown once, stored as a hash, resolved for every service. */
@Injectable()
export class ApiKeyStore implements ApiKeySource {
  private readonly revocations: ApiKeyRevocationEpoch;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly bounds: IdentityBounds,
    private readonly serviceOperators: ServiceOperators,
    @Inject(REDIS_CLIENT) redis: Redis,
  ) {
    this.revocations = new ApiKeyRevocationEpoch(redis);
  }

  async create(
    principal: Principal,
    organizationId: string,
    input: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    const key = generateApiKey();
    return this.dataSource.transaction(async (manager) => {
      const [organization] = (await manager.query('SELECT kind FROM organizations WHERE id = $1', [
        organizationId,
      ])) as { kind: OrganizationKind }[];
      if (!organization) throw IdentityError.notFound('organization_not_found', 'No such organization.');
      const refused = input.scopes.find((scope) => !SCOPE_HOLDERS[scope].includes(organization.kind));
      if (refused)
        throw IdentityError.invalid(
          'scope_not_allowed',
          `${refused} keys are for ${SCOPE_HOLDERS[refused].join(' or ')} organizations`,
          'scopes',
        );
      if (input.serviceId !== undefined)
        await this.serviceOperators.ensureOperatedBy(manager, input.serviceId, organizationId);
      await this.bounds.ensureRoomForApiKey(manager, organizationId);
      const [row] = (await manager.query(
        `INSERT INTO api_keys (id, organization_id, name, key_hash, display_prefix, scopes, service_id, created_by,
                               expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
        [
          uuidV7(),
          organizationId,
          input.name,
          apiKeyHash(key),
          apiKeyDisplayPrefix(key),
          input.scopes,
          input.serviceId ?? null,
          principal.subject,
          input.expiresAt ?? null,
        ],
      )) as ApiKeyRow[];
      const created = toApiKeyDto(row as ApiKeyRow);
      await this.outbox.append(manager, [
        createEvent(
          ApiKeyCreatedV1,
          {
            keyId: created.id,
            organizationId,
            name: created.name,
            scopes: [...created.scopes],
            serviceId: created.serviceId,
            createdBy: principal.subject,
            createdAt: created.createdAt,
          },
          SOURCE,
        ),
      ]);
      return { ...created, key };
    });
  }

  async list(organizationId: string, page: PageQuery): Promise<Page<ApiKeyDto>> {
    const after = decodeCursor(page.cursor);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM api_keys WHERE organization_id = $1 AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [organizationId, after, page.limit + 1],
    )) as ApiKeyRow[];
    return pageOf(rows, page.limit, toApiKeyDto);
  }

  /**
   * Revokes a key of the organization; revoking a revoked key is a no-op that answers the same. Services caching
   * keys' answers (metering) are told through the revocation epoch after the commit and before the answer, so
   * the key is refused everywhere from the next request on; should Redis fail, the call fails and may be
   * repeated (the epoch moves on the no-op too).
   */
  async revoke(principal: Principal, organizationId: string, keyId: string): Promise<ApiKeyDto> {
    const revoked = await this.revokeInDatabase(principal, organizationId, keyId);
    await this.revocations.advance();
    return revoked;
  }

  private revokeInDatabase(principal: Principal, organizationId: string, keyId: string): Promise<ApiKeyDto> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
        [keyId, organizationId],
      )) as ApiKeyRow[];
      if (!row) throw IdentityError.notFound('api_key_not_found', 'This organization has no such API key.');
      if (row.revoked_at) return toApiKeyDto(row);
      // TypeORM answers an UPDATE … RETURNING with [rows, affected].
      const [[revoked]] = (await manager.query(
        `UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
        [keyId, principal.subject],
      )) as [ApiKeyRow[], number];
      const dto = toApiKeyDto(revoked as ApiKeyRow);
      await this.outbox.append(manager, [
        createEvent(
          ApiKeyRevokedV1,
          { keyId, organizationId, revokedBy: principal.subject, revokedAt: dto.revokedAt as string },
          SOURCE,
        ),
      ]);
      return dto;
    });
  }

  async describe(keyId: string): Promise<ApiKeyDto> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM api_keys WHERE id = $1`, [
      keyId,
    ])) as ApiKeyRow[];
    if (!row) throw IdentityError.notFound('api_key_not_found', 'No such API key.');
    return toApiKeyDto(row);
  }

  /** The principal of a live key (not revoked, not expired), recording its use; null for anything else. */
  async resolve(key: string): Promise<ApiKeyPrincipal | null> {
    return (await this.introspect(key))?.principal ?? null;
  }

  /**
   * A live key's principal and expiry, recording its use (as often as services ask: a service caching the
   * answer asks again after its TTL, so `last_used_at` may lag by that much more).
   */
  async introspect(key: string): Promise<IntrospectedApiKey | null> {
    if (!isWellFormedApiKey(key)) return null;
    const [row] = (await this.dataSource.query(
      `WITH live AS (
         SELECT id, organization_id, scopes, service_id, expires_at, last_used_at FROM api_keys
          WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
       ), touched AS (
         UPDATE api_keys SET last_used_at = now() FROM live
          WHERE api_keys.id = live.id
            AND (live.last_used_at IS NULL OR live.last_used_at < now() - interval '${LAST_USED_RESOLUTION}')
       )
       SELECT id, organization_id, scopes, service_id, expires_at FROM live`,
      [apiKeyHash(key)],
    )) as Pick<ApiKeyRow, 'id' | 'organization_id' | 'scopes' | 'service_id' | 'expires_at'>[];
    if (!row) return null;
    return {
      principal: {
        kind: 'api_key',
        keyId: row.id,
        organizationId: row.organization_id,
        scopes: row.scopes,
        serviceId: row.service_id,
      },
      expiresAt: row.expires_at,
    };
  }
}

function toApiKeyDto(row: ApiKeyRow): ApiKeyDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    scopes: row.scopes,
    serviceId: row.service_id,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

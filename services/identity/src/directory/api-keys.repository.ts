import { Injectable } from '@nestjs/common';
import { API_KEY_SCOPES, type ApiKeyScope, type OrganizationKind } from '@onecommons/auth';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryOne, queryRows } from '@onecommons/persistence';
import { organizationKindRow } from '../organizations/organizations.repository.js';

export interface ApiKey {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly displayPrefix: string;
  readonly scopes: ApiKeyScope[];
  readonly serviceId: string | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export interface NewApiKey {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly keyHash: Buffer;
  readonly displayPrefix: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly serviceId: string | null;
  readonly createdBy: string;
  /** ISO 8601, or null for a key that does not expire. */
  readonly expiresAt: string | null;
}

/** What a request made with a live key acts as. */
export interface LiveApiKey {
  readonly id: string;
  readonly organizationId: string;
  readonly scopes: ApiKeyScope[];
  readonly serviceId: string | null;
  readonly expiresAt: Date | null;
}

/** Writing `last_used_at` on every request would turn each API call into a write; once a minute is enough. */
const LAST_USED_RESOLUTION = '1 minute';

const COLUMNS = `id, organization_id, name, display_prefix, scopes, service_id, created_by, created_at,
  expires_at, revoked_at, last_used_at`;

const scopesColumn = z.array(z.enum(API_KEY_SCOPES));

/** An API key as `COLUMNS` selects it. */
const apiKeyRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    name: z.string(),
    display_prefix: z.string(),
    scopes: scopesColumn,
    service_id: z.string().nullable(),
    created_by: z.string(),
    created_at: z.date(),
    expires_at: z.date().nullable(),
    revoked_at: z.date().nullable(),
    last_used_at: z.date().nullable(),
  })
  .transform((row): ApiKey => ({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    displayPrefix: row.display_prefix,
    scopes: row.scopes,
    serviceId: row.service_id,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }));

const liveKeyRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    scopes: scopesColumn,
    service_id: z.string().nullable(),
    expires_at: z.date().nullable(),
  })
  .transform((row): LiveApiKey => ({
    id: row.id,
    organizationId: row.organization_id,
    scopes: row.scopes,
    serviceId: row.service_id,
    expiresAt: row.expires_at,
  }));

/** The api_keys table: organizations' keys, stored by the hash of the key. */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The kind of the organization that would hold the key; null when there is no such organization. */
  async organizationKind(manager: EntityManager, organizationId: string): Promise<OrganizationKind | null> {
    const [organization] = await queryRows(
      manager,
      {
        name: 'apiKeys.organizationKind',
        row: organizationKindRow,
        sql: 'SELECT kind FROM organizations WHERE id = $1',
      },
      [organizationId],
    );
    return organization?.kind ?? null;
  }

  async insert(manager: EntityManager, key: NewApiKey): Promise<ApiKey> {
    return queryOne(
      manager,
      {
        name: 'apiKeys.insert',
        row: apiKeyRow,
        sql: `INSERT INTO api_keys (id, organization_id, name, key_hash, display_prefix, scopes, service_id, created_by,
                               expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      },
      [
        key.id,
        key.organizationId,
        key.name,
        key.keyHash,
        key.displayPrefix,
        key.scopes,
        key.serviceId,
        key.createdBy,
        key.expiresAt,
      ],
    );
  }

  /** At most `limit` of the organization's keys in id order after `afterId`. */
  async list(organizationId: string, afterId: string | null, limit: number): Promise<ApiKey[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'apiKeys.list',
        row: apiKeyRow,
        sql: `SELECT ${COLUMNS} FROM api_keys WHERE organization_id = $1 AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      },
      [organizationId, afterId, limit],
    );
  }

  /** The organization's key, locked until the transaction ends; null when it has no such key. */
  async lockOfOrganization(
    manager: EntityManager,
    keyId: string,
    organizationId: string,
  ): Promise<ApiKey | null> {
    const [key] = await queryRows(
      manager,
      {
        name: 'apiKeys.lockOfOrganization',
        row: apiKeyRow,
        sql: `SELECT ${COLUMNS} FROM api_keys WHERE id = $1 AND organization_id = $2 FOR UPDATE`,
      },
      [keyId, organizationId],
    );
    return key ?? null;
  }

  /** Revokes a key known to exist, now. */
  async revoke(manager: EntityManager, keyId: string, revokedBy: string): Promise<ApiKey> {
    return queryOne(
      manager,
      {
        name: 'apiKeys.revoke',
        row: apiKeyRow,
        sql: `UPDATE api_keys SET revoked_at = now(), revoked_by = $2 WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [keyId, revokedBy],
    );
  }

  async find(keyId: string): Promise<ApiKey | null> {
    const [key] = await queryRows(
      this.dataSource,
      { name: 'apiKeys.find', row: apiKeyRow, sql: `SELECT ${COLUMNS} FROM api_keys WHERE id = $1` },
      [keyId],
    );
    return key ?? null;
  }

  /**
   * The key with this hash if it is live (not revoked, not expired), recording its use at most once per
   * LAST_USED_RESOLUTION; null for anything else.
   */
  async useLive(keyHash: Buffer): Promise<LiveApiKey | null> {
    const [key] = await queryRows(
      this.dataSource,
      {
        name: 'apiKeys.useLive',
        row: liveKeyRow,
        sql: `WITH live AS (
         SELECT id, organization_id, scopes, service_id, expires_at, last_used_at FROM api_keys
          WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
       ), touched AS (
         UPDATE api_keys SET last_used_at = now() FROM live
          WHERE api_keys.id = live.id
            AND (live.last_used_at IS NULL OR live.last_used_at < now() - interval '${LAST_USED_RESOLUTION}')
       )
       SELECT id, organization_id, scopes, service_id, expires_at FROM live`,
      },
      [keyHash],
    );
    return key ?? null;
  }
}

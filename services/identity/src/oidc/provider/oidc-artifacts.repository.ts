import { Injectable } from '@nestjs/common';
import { queryAffected, queryExists, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export interface StoredArtifact {
  readonly payload: Record<string, unknown>;
  readonly consumedAt: Date | null;
}

const artifactRow = z
  .object({ payload: z.record(z.string(), z.unknown()), consumed_at: z.date().nullable() })
  .transform((row): StoredArtifact => ({ payload: row.payload, consumedAt: row.consumed_at }));

export interface GrantedClient {
  readonly clientId: string;
  readonly organizationId: string;
  readonly serviceId: string;
}

const grantedClientRow = z
  .object({ client_id: z.string(), organization_id: z.string(), service_id: z.string() })
  .transform((row): GrantedClient => ({
    clientId: row.client_id,
    organizationId: row.organization_id,
    serviceId: row.service_id,
  }));

const LIVE = '(expires_at IS NULL OR expires_at > now())';

export interface ArtifactToStore {
  readonly model: string;
  readonly id: string;
  readonly payload: Record<string, unknown>;
  readonly accountId: string | null;
  readonly grantId: string | null;
  readonly uid: string | null;
  readonly expiresInSeconds: number | null;
}

/** The oidc_artifacts table: what the OpenID provider keeps between requests. */
@Injectable()
export class OidcArtifactsRepository {
  async upsert(manager: EntityManager, artifact: ArtifactToStore): Promise<void> {
    await queryExists(
      manager,
      {
        name: 'oidcArtifacts.upsert',
        sql: `INSERT INTO oidc_artifacts (model, id, payload, account_id, grant_id, uid, expires_at)
              VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int))
              ON CONFLICT (model, id) DO UPDATE SET payload = EXCLUDED.payload, account_id = EXCLUDED.account_id,
                grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid, expires_at = EXCLUDED.expires_at
              RETURNING 1`,
      },
      [
        artifact.model,
        artifact.id,
        JSON.stringify(artifact.payload),
        artifact.accountId,
        artifact.grantId,
        artifact.uid,
        artifact.expiresInSeconds,
      ],
    );
  }

  async find(manager: EntityManager, model: string, id: string): Promise<StoredArtifact | null> {
    const [artifact] = await queryRows(
      manager,
      {
        name: 'oidcArtifacts.find',
        row: artifactRow,
        sql: `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = $1 AND id = $2 AND ${LIVE}`,
      },
      [model, id],
    );
    return artifact ?? null;
  }

  async findByUid(manager: EntityManager, model: string, uid: string): Promise<StoredArtifact | null> {
    const [artifact] = await queryRows(
      manager,
      {
        name: 'oidcArtifacts.findByUid',
        row: artifactRow,
        sql: `SELECT payload, consumed_at FROM oidc_artifacts WHERE model = $1 AND uid = $2 AND ${LIVE}`,
      },
      [model, uid],
    );
    return artifact ?? null;
  }

  /** Marks an artifact used; false when it already was (or is gone): only one of two racing uses wins. */
  async consume(manager: EntityManager, model: string, id: string): Promise<boolean> {
    return queryExists(
      manager,
      {
        name: 'oidcArtifacts.consume',
        sql: `UPDATE oidc_artifacts SET consumed_at = now()
              WHERE model = $1 AND id = $2 AND consumed_at IS NULL RETURNING 1`,
      },
      [model, id],
    );
  }

  async destroy(manager: EntityManager, model: string, id: string): Promise<void> {
    await queryAffected(
      manager,
      'oidcArtifacts.destroy',
      'DELETE FROM oidc_artifacts WHERE model = $1 AND id = $2',
      [model, id],
    );
  }

  /** Everything issued under one grant: codes, access and refresh tokens (and the grant itself). */
  async destroyOfGrant(manager: EntityManager, grantId: string): Promise<void> {
    await queryAffected(
      manager,
      'oidcArtifacts.destroyOfGrant',
      `DELETE FROM oidc_artifacts WHERE grant_id = $1 OR (model = 'Grant' AND id = $1)`,
      [grantId],
    );
  }

  /** An account's sessions, grants and everything issued under them: "sign out everywhere" for the apps. */
  async destroyOfAccount(manager: EntityManager, accountId: string): Promise<number> {
    return queryAffected(
      manager,
      'oidcArtifacts.destroyOfAccount',
      `DELETE FROM oidc_artifacts WHERE account_id = $1
         OR grant_id IN (SELECT id FROM oidc_artifacts WHERE model = 'Grant' AND account_id = $1)`,
      [accountId],
    );
  }

  /** Everything issued to one client (its payloads name it as `clientId`). */
  async destroyOfClient(manager: EntityManager, clientId: string): Promise<void> {
    await queryAffected(
      manager,
      'oidcArtifacts.destroyOfClient',
      `DELETE FROM oidc_artifacts WHERE payload->>'clientId' = $1`,
      [clientId],
    );
  }

  /**
   * The live clients an account granted a scope to (a grant's payload keeps its OpenID scopes as
   * `openid.scope`, space-separated), with the organization and service each belongs to.
   */
  clientsGrantedScope(manager: EntityManager, accountId: string, scope: string): Promise<GrantedClient[]> {
    return queryRows(
      manager,
      {
        name: 'oidcArtifacts.clientsGrantedScope',
        row: grantedClientRow,
        sql: `SELECT DISTINCT c.client_id, c.organization_id, c.service_id
              FROM oidc_artifacts g
              JOIN oidc_clients c ON c.client_id = g.payload->>'clientId' AND c.deleted_at IS NULL
              WHERE g.model = 'Grant' AND g.account_id = $1 AND (g.expires_at IS NULL OR g.expires_at > now())
                AND $2 = ANY (string_to_array(g.payload->'openid'->>'scope', ' '))
              ORDER BY c.client_id`,
      },
      [accountId, scope],
    );
  }

  /** Drops what expired a while ago (a consumed code stays until then, to recognise its reuse). */
  async deleteExpired(manager: EntityManager): Promise<number> {
    return queryAffected(
      manager,
      'oidcArtifacts.deleteExpired',
      `DELETE FROM oidc_artifacts WHERE expires_at < now() - interval '1 hour'`,
      [],
    );
  }
}

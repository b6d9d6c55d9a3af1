import { Injectable } from '@nestjs/common';
import { queryExists, queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export interface OidcClientRecord {
  readonly clientId: string;
  readonly organizationId: string;
  readonly serviceId: string;
  readonly name: string;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly secretRotatedAt: Date;
  readonly createdBy: string;
  readonly createdAt: Date;
}

/** What the provider needs of a client: its URIs and its sealed secret. */
export type ProviderClientRecord = Pick<
  OidcClientRecord,
  'clientId' | 'name' | 'redirectUris' | 'postLogoutRedirectUris'
> & { readonly secretSealed: string };

const COLUMNS = `client_id, organization_id, service_id, name, redirect_uris, post_logout_redirect_uris,
  secret_rotated_at, created_by, created_at`;

const clientRow = z
  .object({
    client_id: z.string(),
    organization_id: z.string(),
    service_id: z.string(),
    name: z.string(),
    redirect_uris: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    secret_rotated_at: z.date(),
    created_by: z.string(),
    created_at: z.date(),
  })
  .transform((row): OidcClientRecord => ({
    clientId: row.client_id,
    organizationId: row.organization_id,
    serviceId: row.service_id,
    name: row.name,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    secretRotatedAt: row.secret_rotated_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
  }));

const providerClientRow = z
  .object({
    client_id: z.string(),
    name: z.string(),
    redirect_uris: z.array(z.string()),
    post_logout_redirect_uris: z.array(z.string()),
    secret_sealed: z.string(),
  })
  .transform((row): ProviderClientRecord => ({
    clientId: row.client_id,
    name: row.name,
    redirectUris: row.redirect_uris,
    postLogoutRedirectUris: row.post_logout_redirect_uris,
    secretSealed: row.secret_sealed,
  }));

export type NewOidcClient = Omit<OidcClientRecord, 'secretRotatedAt' | 'createdAt'> & {
  readonly secretSealed: string;
};

/** The oidc_clients table: the apps' OpenID clients, each owned by the organization operating its service. */
@Injectable()
export class OidcClientsRepository {
  insert(manager: EntityManager, client: NewOidcClient): Promise<OidcClientRecord> {
    return queryOne(
      manager,
      {
        name: 'oidcClients.insert',
        row: clientRow,
        sql: `INSERT INTO oidc_clients (client_id, organization_id, service_id, name, redirect_uris,
                post_logout_redirect_uris, secret_sealed, created_by)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
      },
      [
        client.clientId,
        client.organizationId,
        client.serviceId,
        client.name,
        client.redirectUris,
        client.postLogoutRedirectUris,
        client.secretSealed,
        client.createdBy,
      ],
    );
  }

  /** A live client of the organization, locked for a change; null for another organization's or a deleted one. */
  async lockOwned(
    manager: EntityManager,
    organizationId: string,
    clientId: string,
  ): Promise<OidcClientRecord | null> {
    const [client] = await queryRows(
      manager,
      {
        name: 'oidcClients.lockOwned',
        row: clientRow,
        sql: `SELECT ${COLUMNS} FROM oidc_clients
              WHERE client_id = $1 AND organization_id = $2 AND deleted_at IS NULL FOR UPDATE`,
      },
      [clientId, organizationId],
    );
    return client ?? null;
  }

  listOwned(manager: EntityManager, organizationId: string): Promise<OidcClientRecord[]> {
    return queryRows(
      manager,
      {
        name: 'oidcClients.listOwned',
        row: clientRow,
        sql: `SELECT ${COLUMNS} FROM oidc_clients WHERE organization_id = $1 AND deleted_at IS NULL
              ORDER BY created_at, client_id`,
      },
      [organizationId],
    );
  }

  async liveCountOfService(manager: EntityManager, serviceId: string): Promise<number> {
    const { count } = await queryOne(
      manager,
      {
        name: 'oidcClients.liveCountOfService',
        row: z.object({ count: z.number() }),
        sql: `SELECT count(*)::int AS count FROM oidc_clients WHERE service_id = $1 AND deleted_at IS NULL`,
      },
      [serviceId],
    );
    return count;
  }

  update(
    manager: EntityManager,
    clientId: string,
    changes: Pick<OidcClientRecord, 'name' | 'redirectUris' | 'postLogoutRedirectUris'>,
  ): Promise<OidcClientRecord> {
    return queryOne(
      manager,
      {
        name: 'oidcClients.update',
        row: clientRow,
        sql: `UPDATE oidc_clients SET name = $2, redirect_uris = $3, post_logout_redirect_uris = $4
              WHERE client_id = $1 RETURNING ${COLUMNS}`,
      },
      [clientId, changes.name, changes.redirectUris, changes.postLogoutRedirectUris],
    );
  }

  replaceSecret(manager: EntityManager, clientId: string, secretSealed: string): Promise<OidcClientRecord> {
    return queryOne(
      manager,
      {
        name: 'oidcClients.replaceSecret',
        row: clientRow,
        sql: `UPDATE oidc_clients SET secret_sealed = $2, secret_rotated_at = now()
              WHERE client_id = $1 RETURNING ${COLUMNS}`,
      },
      [clientId, secretSealed],
    );
  }

  async markDeleted(manager: EntityManager, clientId: string): Promise<void> {
    await queryExists(
      manager,
      {
        name: 'oidcClients.markDeleted',
        sql: `UPDATE oidc_clients SET deleted_at = now() WHERE client_id = $1 RETURNING 1`,
      },
      [clientId],
    );
  }

  /**
   * A client the provider may serve: not deleted, and its organization still operates its service, which is
   * active. A service handed to another operator takes its clients out of use at once.
   */
  async servable(manager: EntityManager, clientId: string): Promise<ProviderClientRecord | null> {
    const [client] = await queryRows(
      manager,
      {
        name: 'oidcClients.servable',
        row: providerClientRow,
        sql: `SELECT c.client_id, c.name, c.redirect_uris, c.post_logout_redirect_uris, c.secret_sealed
              FROM oidc_clients c
              JOIN catalog_services s ON s.service_id = c.service_id
              WHERE c.client_id = $1 AND c.deleted_at IS NULL
                AND s.operator_id = c.organization_id AND s.status = 'active'`,
      },
      [clientId],
    );
    return client ?? null;
  }

  /** How the sign-in and consent pages name a client: its name and the organization that registered it. */
  async shownOnPages(
    manager: EntityManager,
    clientId: string,
  ): Promise<{ readonly name: string; readonly operator: string } | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'oidcClients.shownOnPages',
        row: z.object({ name: z.string(), operator: z.string() }),
        sql: `SELECT c.name, o.name AS operator FROM oidc_clients c JOIN organizations o ON o.id = c.organization_id
              WHERE c.client_id = $1`,
      },
      [clientId],
    );
    return row ?? null;
  }
}

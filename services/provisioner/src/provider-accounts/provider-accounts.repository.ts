import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { PROVIDER_APIS } from '../providers/provider-api.js';
import { type ProviderAccountDto, sizeSchema } from './provider-accounts.dto.js';

/** A provider account with its sealed token and how many servers it holds: what the API shows, and the token. */
export interface ProviderAccount extends Omit<ProviderAccountDto, 'createdAt'> {
  readonly credentialsSealed: string;
  readonly createdAt: Date;
}

export type NewProviderAccount = Omit<ProviderAccount, 'serversInUse' | 'createdAt'> & {
  readonly createdBy: string;
};

export interface ProviderAccountListQuery {
  /** The id the previous page ended with. */
  readonly afterId: string | null;
  readonly organizationId: string | null;
}

const SELECT = `SELECT a.id, a.organization_id, a.name, a.api, a.base_url, a.credentials_sealed, a.image, a.regions, a.sizes,
         a.currency, a.max_servers, a.created_at,
         (SELECT count(*)::int FROM deployments d WHERE d.provider_account_id = a.id AND d.phase <> 'Absent') AS servers_in_use
    FROM provider_accounts a`;

/** A provider account as `SELECT` reads it. */
const accountRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    name: z.string(),
    api: z.enum(PROVIDER_APIS),
    base_url: z.string(),
    credentials_sealed: z.string(),
    image: z.string(),
    regions: z.array(z.string()),
    sizes: z.array(sizeSchema),
    currency: z.string(),
    max_servers: z.number().int(),
    servers_in_use: z.number().int(),
    created_at: z.date(),
  })
  .transform((row): ProviderAccount => ({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    api: row.api,
    baseUrl: row.base_url,
    credentialsSealed: row.credentials_sealed,
    image: row.image,
    regions: row.regions,
    sizes: row.sizes,
    currency: row.currency,
    maxServers: row.max_servers,
    serversInUse: row.servers_in_use,
    createdAt: row.created_at,
  }));

/** The provider_accounts table: provider organizations' accounts at cloud APIs. */
@Injectable()
export class ProviderAccountsRepository {
  async insert(manager: EntityManager, account: NewProviderAccount): Promise<void> {
    await manager.query(
      `INSERT INTO provider_accounts (id, organization_id, name, api, base_url, credentials_sealed, image, regions, sizes,
                                      currency, max_servers, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)`,
      [
        account.id,
        account.organizationId,
        account.name,
        account.api,
        account.baseUrl,
        account.credentialsSealed,
        account.image,
        account.regions,
        JSON.stringify(account.sizes),
        account.currency,
        account.maxServers,
        account.createdBy,
      ],
    );
  }

  async byId(manager: EntityManager, id: string): Promise<ProviderAccount | null> {
    const [account] = await queryRows(
      manager,
      { name: 'providerAccounts.byId', row: accountRow, sql: `${SELECT} WHERE a.id = $1` },
      [id],
    );
    return account ?? null;
  }

  /** At most `limit` accounts in id order, of the organization when one is given. */
  async list(
    manager: EntityManager,
    query: ProviderAccountListQuery,
    limit: number,
  ): Promise<ProviderAccount[]> {
    return queryRows(
      manager,
      {
        name: 'providerAccounts.list',
        row: accountRow,
        sql: `${SELECT} WHERE ($1::uuid IS NULL OR a.id > $1) AND ($2::uuid IS NULL OR a.organization_id = $2) ORDER BY a.id LIMIT $3`,
      },
      [query.afterId, query.organizationId, limit],
    );
  }

  /** Locks the account until the transaction ends. */
  async lock(manager: EntityManager, id: string): Promise<void> {
    await manager.query(`SELECT 1 FROM provider_accounts WHERE id = $1 FOR UPDATE`, [id]);
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { uuidV7 } from '@onecommons/contracts';
import { isUniqueViolation } from '@onecommons/persistence';
import {
  decodeCursor,
  type Page,
  pageOf,
  type PageQuery,
  seal,
  SERVICE_CONFIG,
} from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { type ProviderApiKind } from '../providers/provider-api.js';
import { ProvisionerError } from '../provisioner-errors.js';
import { allowedBaseUrl } from './provider-api-allowlist.js';
import {
  type ProviderAccountDto,
  type RegisterProviderAccountDto,
  type SizeDto,
} from './provider-accounts.dto.js';

interface AccountRow {
  id: string;
  organization_id: string;
  name: string;
  api: ProviderApiKind;
  base_url: string;
  credentials_sealed: string;
  image: string;
  regions: string[];
  sizes: SizeDto[];
  currency: string;
  max_servers: number;
  servers_in_use: number;
  created_at: Date;
}

/** A provider account as the reconcile loop needs it, sealed token included (never leaves the service). */
export interface ProviderAccountRecord {
  readonly id: string;
  readonly organizationId: string;
  readonly api: ProviderApiKind;
  readonly baseUrl: string;
  readonly credentialsSealed: string;
  readonly image: string;
  readonly regions: readonly string[];
  readonly sizes: readonly SizeDto[];
  readonly maxServers: number;
}

const SELECT = `SELECT a.id, a.organization_id, a.name, a.api, a.base_url, a.credentials_sealed, a.image, a.regions, a.sizes,
         a.currency, a.max_servers, a.created_at,
         (SELECT count(*)::int FROM deployments d WHERE d.provider_account_id = a.id AND d.phase <> 'Absent') AS servers_in_use
    FROM provider_accounts a`;

/** The associated data a sealed token is bound to: its account. */
export const credentialContext = (accountId: string) => `provider-account:${accountId}`;

@Injectable()
export class ProviderAccountsService {
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
  ) {
    this.key = Buffer.from(config.PROVISIONER_CREDENTIALS_KEY, 'base64');
  }

  async register(
    principal: Principal,
    organizationId: string,
    input: RegisterProviderAccountDto,
  ): Promise<ProviderAccountDto> {
    const baseUrl = allowedBaseUrl(input.baseUrl, this.config.PROVISIONER_ALLOWED_API_BASE_URLS);
    if (baseUrl === undefined)
      throw ProvisionerError.invalid(
        'base_url_not_allowed',
        'is not an API address this platform may call',
        'baseUrl',
      );
    const id = uuidV7();
    try {
      await this.dataSource.query(
        `INSERT INTO provider_accounts (id, organization_id, name, api, base_url, credentials_sealed, image, regions, sizes,
                                        currency, max_servers, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)`,
        [
          id,
          organizationId,
          input.name,
          input.api,
          baseUrl,
          seal(input.token, this.key, credentialContext(id)),
          input.image,
          input.regions,
          JSON.stringify(input.sizes),
          input.currency,
          input.maxServers,
          principal.subject,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw ProvisionerError.conflict(
          'name_taken',
          'This organization has an account of this name.',
          'name',
        );
      throw error;
    }
    return this.get(id);
  }

  async get(id: string): Promise<ProviderAccountDto> {
    const [row] = (await this.dataSource.query(`${SELECT} WHERE a.id = $1`, [id])) as AccountRow[];
    if (!row) throw ProvisionerError.notFound('provider_account_not_found', 'No such provider account.');
    return toDto(row);
  }

  /** Every provider account (what operators choose from), or one organization's. */
  async list(query: PageQuery, organizationId: string | null = null): Promise<Page<ProviderAccountDto>> {
    const rows = (await this.dataSource.query(
      `${SELECT} WHERE ($1::uuid IS NULL OR a.id > $1) AND ($2::uuid IS NULL OR a.organization_id = $2) ORDER BY a.id LIMIT $3`,
      [decodeCursor(query.cursor), organizationId, query.limit + 1],
    )) as AccountRow[];
    return pageOf(rows, query.limit, toDto);
  }

  async record(id: string): Promise<ProviderAccountRecord | undefined> {
    const [row] = (await this.dataSource.query(`${SELECT} WHERE a.id = $1`, [id])) as AccountRow[];
    return row
      ? {
          id: row.id,
          organizationId: row.organization_id,
          api: row.api,
          baseUrl: row.base_url,
          credentialsSealed: row.credentials_sealed,
          image: row.image,
          regions: row.regions,
          sizes: row.sizes,
          maxServers: row.max_servers,
        }
      : undefined;
  }
}

function toDto(row: AccountRow): ProviderAccountDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    api: row.api,
    baseUrl: row.base_url,
    image: row.image,
    regions: row.regions,
    sizes: row.sizes,
    currency: row.currency,
    maxServers: row.max_servers,
    serversInUse: row.servers_in_use,
    createdAt: row.created_at.toISOString(),
  };
}

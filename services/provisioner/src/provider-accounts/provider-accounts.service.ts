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
import { ProvisionerError } from '../provisioner-errors.js';
import { allowedBaseUrl } from './provider-api-allowlist.js';
import { type ProviderAccountDto, type RegisterProviderAccountDto } from './provider-accounts.dto.js';
import { type ProviderAccount, ProviderAccountsRepository } from './provider-accounts.repository.js';

/** A provider account as the reconcile loop needs it, sealed token included (never leaves the service). */
export type ProviderAccountRecord = Pick<
  ProviderAccount,
  | 'id'
  | 'organizationId'
  | 'api'
  | 'baseUrl'
  | 'credentialsSealed'
  | 'image'
  | 'regions'
  | 'sizes'
  | 'maxServers'
>;

/** The associated data a sealed token is bound to: its account. */
export const credentialContext = (accountId: string) => `provider-account:${accountId}`;

@Injectable()
export class ProviderAccountsService {
  private readonly key: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: ProviderAccountsRepository,
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
      await this.accounts.insert(this.dataSource.manager, {
        id,
        organizationId,
        name: input.name,
        api: input.api,
        baseUrl,
        credentialsSealed: seal(input.token, this.key, credentialContext(id)),
        image: input.image,
        regions: input.regions,
        sizes: input.sizes,
        currency: input.currency,
        maxServers: input.maxServers,
        createdBy: principal.subject,
      });
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
    const account = await this.accounts.byId(this.dataSource.manager, id);
    if (!account) throw ProvisionerError.notFound('provider_account_not_found', 'No such provider account.');
    return toDto(account);
  }

  /** Every provider account (what operators choose from), or one organization's. */
  async list(query: PageQuery, organizationId: string | null = null): Promise<Page<ProviderAccountDto>> {
    const accounts = await this.accounts.list(
      this.dataSource.manager,
      { afterId: decodeCursor(query.cursor), organizationId },
      query.limit + 1,
    );
    return pageOf(accounts, query.limit, toDto);
  }

  async record(id: string): Promise<ProviderAccountRecord | undefined> {
    const account = await this.accounts.byId(this.dataSource.manager, id);
    return account
      ? {
          id: account.id,
          organizationId: account.organizationId,
          api: account.api,
          baseUrl: account.baseUrl,
          credentialsSealed: account.credentialsSealed,
          image: account.image,
          regions: account.regions,
          sizes: account.sizes,
          maxServers: account.maxServers,
        }
      : undefined;
  }
}

function toDto(account: ProviderAccount): ProviderAccountDto {
  return {
    id: account.id,
    organizationId: account.organizationId,
    name: account.name,
    api: account.api,
    baseUrl: account.baseUrl,
    image: account.image,
    regions: account.regions,
    sizes: account.sizes,
    currency: account.currency,
    maxServers: account.maxServers,
    serversInUse: account.serversInUse,
    createdAt: account.createdAt.toISOString(),
  };
}

import { Inject, Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { uuidV7 } from '@onecommons/contracts';
import { seal, SERVICE_CONFIG, unseal } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { newOpaqueToken } from '../../accounts/opaque-token.js';
import { ServiceOperators } from '../../catalog-services/service-operators.js';
import { type IdentityConfig, sealingKeyOf } from '../../config.js';
import { IdentityError } from '../../identity-errors.js';
import { OidcArtifactsRepository } from '../provider/oidc-artifacts.repository.js';
import {
  type OidcClientDto,
  type OidcClientWithSecretDto,
  type RegisterClientDto,
  type UpdateClientDto,
} from './dto.js';
import {
  type OidcClientRecord,
  OidcClientsRepository,
  type ProviderClientRecord,
} from './oidc-clients.repository.js';

/** Clients one service may have at once (e.g. production and staging). */
export const CLIENTS_PER_SERVICE_LIMIT = 10;

const newSecret = () => newOpaqueToken('ocs_');

const clientNotFound = () => IdentityError.notFound('oidc_client_not_found', 'No such OpenID client.');

/** A servable client as the provider reads it, its secret unsealed. */
export interface ProviderClient extends Omit<ProviderClientRecord, 'secretSealed'> {
  readonly secret: string;
}

/**
 * Apps' OpenID clients. Only an owner of the organization operating the service registers and changes one;
 * the secret is shown once, at registration and at each rotation. Another organization's client is "not
 * found": its id is not confirmed.
 */
@Injectable()
export class OidcClients {
  private readonly sealingKey: Buffer;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clients: OidcClientsRepository,
    private readonly artifacts: OidcArtifactsRepository,
    private readonly serviceOperators: ServiceOperators,
    @Inject(SERVICE_CONFIG) config: IdentityConfig,
  ) {
    this.sealingKey = sealingKeyOf(config);
  }

  register(
    principal: Principal,
    organizationId: string,
    input: RegisterClientDto,
  ): Promise<OidcClientWithSecretDto> {
    const clientId = uuidV7();
    const clientSecret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      await this.serviceOperators.ensureOperatedBy(manager, input.serviceId, organizationId);
      if ((await this.clients.liveCountOfService(manager, input.serviceId)) >= CLIENTS_PER_SERVICE_LIMIT)
        throw IdentityError.conflict(
          'limit_reached',
          `OpenID clients per service are limited to ${CLIENTS_PER_SERVICE_LIMIT}.`,
          'serviceId',
        );
      const client = await this.clients.insert(manager, {
        clientId,
        organizationId,
        serviceId: input.serviceId,
        name: input.name,
        redirectUris: input.redirectUris,
        postLogoutRedirectUris: input.postLogoutRedirectUris,
        secretSealed: seal(clientSecret, this.sealingKey, clientId),
        createdBy: principal.subject,
      });
      return { ...toOidcClientDto(client), clientSecret };
    });
  }

  async list(organizationId: string): Promise<OidcClientDto[]> {
    return (await this.clients.listOwned(this.dataSource.manager, organizationId)).map(toOidcClientDto);
  }

  async find(organizationId: string, clientId: string): Promise<OidcClientDto> {
    return toOidcClientDto(await this.owned(this.dataSource.manager, organizationId, clientId));
  }

  update(organizationId: string, clientId: string, changes: UpdateClientDto): Promise<OidcClientDto> {
    return this.dataSource.transaction(async (manager) => {
      const client = await this.owned(manager, organizationId, clientId);
      const updated = await this.clients.update(manager, clientId, {
        name: changes.name ?? client.name,
        redirectUris: changes.redirectUris ?? client.redirectUris,
        postLogoutRedirectUris: changes.postLogoutRedirectUris ?? client.postLogoutRedirectUris,
      });
      return toOidcClientDto(updated);
    });
  }

  /** A new secret replaces the old one at once: the old stops authenticating the app. */
  rotateSecret(organizationId: string, clientId: string): Promise<OidcClientWithSecretDto> {
    const clientSecret = newSecret();
    return this.dataSource.transaction(async (manager) => {
      await this.owned(manager, organizationId, clientId);
      const client = await this.clients.replaceSecret(
        manager,
        clientId,
        seal(clientSecret, this.sealingKey, clientId),
      );
      return { ...toOidcClientDto(client), clientSecret };
    });
  }

  /** Deletes the client and everything issued to it: its users' grants, codes and tokens stop working. */
  async remove(organizationId: string, clientId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.owned(manager, organizationId, clientId);
      await this.clients.markDeleted(manager, clientId);
      await this.artifacts.destroyOfClient(manager, clientId);
    });
  }

  /** For the provider: null unless the client is live and its organization operates its active service. */
  async servable(clientId: string): Promise<ProviderClient | null> {
    const client = await this.clients.servable(this.dataSource.manager, clientId);
    if (!client) return null;
    const { secretSealed, ...rest } = client;
    return { ...rest, secret: unseal(secretSealed, this.sealingKey, clientId) };
  }

  private async owned(
    manager: EntityManager,
    organizationId: string,
    clientId: string,
  ): Promise<OidcClientRecord> {
    const client = await this.clients.lockOwned(manager, organizationId, clientId);
    if (!client) throw clientNotFound();
    return client;
  }
}

function toOidcClientDto(client: OidcClientRecord): OidcClientDto {
  return {
    clientId: client.clientId,
    organizationId: client.organizationId,
    serviceId: client.serviceId,
    name: client.name,
    redirectUris: client.redirectUris,
    postLogoutRedirectUris: client.postLogoutRedirectUris,
    secretRotatedAt: client.secretRotatedAt.toISOString(),
    createdBy: client.createdBy,
    createdAt: client.createdAt.toISOString(),
  };
}

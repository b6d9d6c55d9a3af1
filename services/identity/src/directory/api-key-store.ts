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
import { type ApiKey, ApiKeysRepository } from './api-keys.repository.js';

const SOURCE = { source: '/onecommons/identity' };

/**
 * Which kinds of organization may hold keys of each scope: operators' services report usage; every kind
 * may manage webhooks (partners, and operators or providers integrating their own systems).
 */
const SCOPE_HOLDERS: Readonly<Record<ApiKeyScope, readonly OrganizationKind[]>> = {
  'metering:write': ['operator'],
  'webhooks:manage': ORGANIZATION_KINDS,
};

/** API keys of organizations: made here, shown once, stored as a hash, resolved for every service. */
@Injectable()
export class ApiKeyStore implements ApiKeySource {
  private readonly revocations: ApiKeyRevocationEpoch;

  constructor(
    private readonly dataSource: DataSource,
    private readonly keys: ApiKeysRepository,
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
      const kind = await this.keys.organizationKind(manager, organizationId);
      if (kind === null) throw IdentityError.notFound('organization_not_found', 'No such organization.');
      const refused = input.scopes.find((scope) => !SCOPE_HOLDERS[scope].includes(kind));
      if (refused)
        throw IdentityError.invalid(
          'scope_not_allowed',
          `${refused} keys are for ${SCOPE_HOLDERS[refused].join(' or ')} organizations`,
          'scopes',
        );
      if (input.serviceId !== undefined)
        await this.serviceOperators.ensureOperatedBy(manager, input.serviceId, organizationId);
      await this.bounds.ensureRoomForApiKey(manager, organizationId);
      const created = toApiKeyDto(
        await this.keys.insert(manager, {
          id: uuidV7(),
          organizationId,
          name: input.name,
          keyHash: apiKeyHash(key),
          displayPrefix: apiKeyDisplayPrefix(key),
          scopes: input.scopes,
          serviceId: input.serviceId ?? null,
          createdBy: principal.subject,
          expiresAt: input.expiresAt ?? null,
        }),
      );
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
    const keys = await this.keys.list(organizationId, after, page.limit + 1);
    return pageOf(keys, page.limit, toApiKeyDto);
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
      const current = await this.keys.lockOfOrganization(manager, keyId, organizationId);
      if (!current)
        throw IdentityError.notFound('api_key_not_found', 'This organization has no such API key.');
      if (current.revokedAt) return toApiKeyDto(current);
      const dto = toApiKeyDto(await this.keys.revoke(manager, keyId, principal.subject));
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
    const key = await this.keys.find(keyId);
    if (!key) throw IdentityError.notFound('api_key_not_found', 'No such API key.');
    return toApiKeyDto(key);
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
    const live = await this.keys.useLive(apiKeyHash(key));
    if (!live) return null;
    return {
      principal: {
        kind: 'api_key',
        keyId: live.id,
        organizationId: live.organizationId,
        scopes: live.scopes,
        serviceId: live.serviceId,
      },
      expiresAt: live.expiresAt,
    };
  }
}

function toApiKeyDto(key: ApiKey): ApiKeyDto {
  return {
    id: key.id,
    organizationId: key.organizationId,
    name: key.name,
    displayPrefix: key.displayPrefix,
    scopes: key.scopes,
    serviceId: key.serviceId,
    createdBy: key.createdBy,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}

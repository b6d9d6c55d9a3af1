import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  type ApiKeyPrincipal,
  CurrentApiKey,
  CurrentPrincipal,
  InternalOnly,
  type Principal,
  RequireApiKey,
  RequireOrganization,
} from '@onecommons/auth';
import { type Page, type PageQuery, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import { type z } from 'zod';
import { ApiKeyStore } from '../directory/api-key-store.js';
import {
  type ApiKeyDto,
  type CreateApiKeyDto,
  createApiKeySchema,
  type CreatedApiKeyDto,
  introspectSchema,
} from './dto.js';

@Controller('v1/organizations/:organizationId/api-keys')
export class OrganizationApiKeysController {
  constructor(private readonly keys: ApiKeyStore) {}

  /** Only owners make keys; the answer holds the key, which is never shown again. */
  @Post()
  @HttpCode(201)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: createApiKeySchema }) body: CreateApiKeyDto,
  ): Promise<CreatedApiKeyDto> {
    return this.keys.create(principal, organizationId, body);
  }

  @Get()
  @RequireOrganization({ param: 'organizationId' })
  list(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<Page<ApiKeyDto>> {
    return this.keys.list(organizationId, page);
  }

  @Delete(':keyId')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('keyId', UuidParamPipe) keyId: string,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(principal, organizationId, keyId);
  }
}

@Controller('v1')
export class ApiKeyIntrospectionController {
  constructor(private readonly keys: ApiKeyStore) {}

  /** Lets a key holder check its key: what it is for and whether it still works. */
  @Get('api-keys/self')
  @RequireApiKey('any')
  self(@CurrentApiKey() key: ApiKeyPrincipal): Promise<ApiKeyDto> {
    return this.keys.describe(key.keyId);
  }

  /**
   * For the platform's services (the gateway does not route `/internal/`, and the internal credential is
   * required): resolves a presented key.
   */
  @Post('internal/api-keys/introspect')
  @HttpCode(200)
  @InternalOnly()
  async introspect(
    @Body({ schema: introspectSchema }) body: z.output<typeof introspectSchema>,
  ): Promise<
    { active: false } | ({ active: true; expiresAt: string | null } & Omit<ApiKeyPrincipal, 'kind'>)
  > {
    const live = await this.keys.introspect(body.key);
    if (!live) return { active: false };
    const { keyId, organizationId, scopes, serviceId } = live.principal;
    return {
      active: true,
      keyId,
      organizationId,
      scopes,
      serviceId,
      expiresAt: live.expiresAt?.toISOString() ?? null,
    };
  }
}

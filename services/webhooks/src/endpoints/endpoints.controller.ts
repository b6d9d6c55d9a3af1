import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentCaller, type Principal, RequireAdminOrApiKey } from '@onecommons/auth';
import {
  ApiErrors,
  type Page,
  type PageQuery,
  pageQuerySchema,
  UuidParamPipe,
} from '@onecommons/service-kit';
import { actorOf, ownerOf } from './endpoint-owner.js';
import {
  type CreateEndpointDto,
  createEndpointSchema,
  type EndpointDto,
  type EndpointWithSecretDto,
  type UpdateEndpointDto,
  updateEndpointSchema,
} from './endpoints.dto.js';
import { EndpointsService } from './endpoints.service.js';

type Caller = Principal | ApiKeyPrincipal;

/** An organization manages its endpoints with a `webhooks:manage` key; platform admins with their token. */
@Controller('v1/endpoints')
export class EndpointsController {
  constructor(private readonly endpoints: EndpointsService) {}

  /**
   * Registers an endpoint; the answer carries its signing secret, shown this once. 409 `limit_reached` past
   * WEBHOOKS_MAX_ENDPOINTS_PER_ORGANIZATION.
   */
  @Post()
  @HttpCode(201)
  @ApiErrors(409)
  @RequireAdminOrApiKey('webhooks:manage')
  create(
    @CurrentCaller() caller: Caller,
    @Body({ schema: createEndpointSchema }) body: CreateEndpointDto,
  ): Promise<EndpointWithSecretDto> {
    return this.endpoints.create(ownerOf(caller), actorOf(caller), body);
  }

  @Get()
  @RequireAdminOrApiKey('webhooks:manage')
  list(
    @CurrentCaller() caller: Caller,
    @Query({ schema: pageQuerySchema }) query: PageQuery,
  ): Promise<Page<EndpointDto>> {
    return this.endpoints.list(ownerOf(caller), query);
  }

  @Get(':endpointId')
  @RequireAdminOrApiKey('webhooks:manage')
  get(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
  ): Promise<EndpointDto> {
    return this.endpoints.get(ownerOf(caller), endpointId);
  }

  /** Changes the URL, event types or description, or disables (`enabled: false`) and re-enables it. */
  @Patch(':endpointId')
  @RequireAdminOrApiKey('webhooks:manage')
  update(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
    @Body({ schema: updateEndpointSchema }) body: UpdateEndpointDto,
  ): Promise<EndpointDto> {
    return this.endpoints.update(ownerOf(caller), endpointId, body);
  }

  /** A new secret, shown once; the previous one still signs beside it for the grace period. */
  @Post(':endpointId/secret/rotate')
  @HttpCode(200)
  @RequireAdminOrApiKey('webhooks:manage')
  rotate(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
  ): Promise<EndpointWithSecretDto> {
    return this.endpoints.rotateSecret(ownerOf(caller), endpointId);
  }

  @Delete(':endpointId')
  @HttpCode(204)
  @RequireAdminOrApiKey('webhooks:manage')
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
  ): Promise<void> {
    await this.endpoints.delete(ownerOf(caller), endpointId);
  }
}

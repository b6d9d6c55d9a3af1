import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { type ApiKeyPrincipal, CurrentCaller, type Principal, RequireAdminOrApiKey } from '@onecommons/auth';
import { type Page, UuidParamPipe } from '@onecommons/service-kit';
import { ownerOf } from '../endpoints/endpoint-owner.js';
import {
  type DeliveryDetailDto,
  type DeliveryDto,
  type DeliveryListQuery,
  deliveryListQuerySchema,
} from './deliveries.dto.js';
import { DeliveriesService } from './deliveries.service.js';

type Caller = Principal | ApiKeyPrincipal;

@Controller('v1/endpoints/:endpointId/deliveries')
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  /** The endpoint's delivery log, oldest first; `?status=failed` finds what needs attention. */
  @Get()
  @RequireAdminOrApiKey('webhooks:manage')
  list(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
    @Query({ schema: deliveryListQuerySchema }) query: DeliveryListQuery,
  ): Promise<Page<DeliveryDto>> {
    return this.deliveries.list(ownerOf(caller), endpointId, query);
  }

  /** One delivery with every attempt: status code, duration, error and the start of the answer. */
  @Get(':deliveryId')
  @RequireAdminOrApiKey('webhooks:manage')
  get(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
    @Param('deliveryId', UuidParamPipe) deliveryId: string,
  ): Promise<DeliveryDetailDto> {
    return this.deliveries.get(ownerOf(caller), endpointId, deliveryId);
  }

  @Post(':deliveryId/redeliver')
  @HttpCode(202)
  @RequireAdminOrApiKey('webhooks:manage')
  redeliver(
    @CurrentCaller() caller: Caller,
    @Param('endpointId', UuidParamPipe) endpointId: string,
    @Param('deliveryId', UuidParamPipe) deliveryId: string,
  ): Promise<DeliveryDto> {
    return this.deliveries.redeliver(ownerOf(caller), endpointId, deliveryId);
  }
}

import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { searchQuerySchema } from '../search.js';
import {
  type CreateServiceDto,
  createServiceSchema,
  type ServiceDto,
  type UpdateServiceDto,
  updateServiceSchema,
} from './services.dto.js';
import { type ServiceListQuery, ServicesService } from './services.service.js';

const serviceListQuerySchema = searchQuerySchema.extend({
  operatorId: z.uuid().optional(),
  projectId: z.uuid().optional(),
});
const OWNERS_OF_OPERATOR_ORG = { param: 'organizationId', roles: ['owner'], kinds: ['operator'] } as const;

@Controller('v1')
export class ServicesController {
  constructor(private readonly services: ServicesService) {}

  /** Operators create the services they run. */
  @Post('organizations/:organizationId/services')
  @HttpCode(201)
  @RequireOrganization(OWNERS_OF_OPERATOR_ORG)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: createServiceSchema }) body: CreateServiceDto,
  ): Promise<ServiceDto> {
    return this.services.create(principal, organizationId, body);
  }

  @Patch('organizations/:organizationId/services/:serviceId')
  @RequireOrganization(OWNERS_OF_OPERATOR_ORG)
  update(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('serviceId', UuidParamPipe) serviceId: string,
    @Body({ schema: updateServiceSchema }) body: UpdateServiceDto,
  ): Promise<ServiceDto> {
    return this.services.update(organizationId, serviceId, body);
  }

  @Get('services')
  @Authenticated()
  list(@Query({ schema: serviceListQuerySchema }) query: ServiceListQuery): Promise<Page<ServiceDto>> {
    return this.services.list(query);
  }

  @Get('services/:serviceId')
  @Authenticated()
  get(@Param('serviceId', UuidParamPipe) serviceId: string): Promise<ServiceDto> {
    return this.services.get(serviceId);
  }
}

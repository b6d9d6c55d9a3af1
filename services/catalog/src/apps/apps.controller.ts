import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, UuidParamPipe } from '@onecommons/service-kit';
import { type SearchQuery, searchQuerySchema } from '../search.js';
import { type AppDto, type RegisterAppDto, registerAppSchema } from './apps.dto.js';
import { AppsService } from './apps.service.js';

@Controller('v1')
export class AppsController {
  constructor(private readonly apps: AppsService) {}

  /** Developer organizations register the open-source apps they build. */
  @Post('organizations/:organizationId/apps')
  @HttpCode(201)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'], kinds: ['developer'] })
  register(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: registerAppSchema }) body: RegisterAppDto,
  ): Promise<AppDto> {
    return this.apps.register(principal, organizationId, body);
  }

  @Get('apps')
  @Authenticated()
  list(@Query({ schema: searchQuerySchema }) query: SearchQuery): Promise<Page<AppDto>> {
    return this.apps.list(query);
  }

  @Get('apps/:appId')
  @Authenticated()
  get(@Param('appId', UuidParamPipe) appId: string): Promise<AppDto> {
    return this.apps.get(appId);
  }
}

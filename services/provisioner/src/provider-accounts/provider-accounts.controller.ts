import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, type PageQuery, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import {
  type ProviderAccountDto,
  type RegisterProviderAccountDto,
  registerProviderAccountSchema,
} from './provider-accounts.dto.js';
import { ProviderAccountsService } from './provider-accounts.service.js';

const PROVIDER_ORG_OWNERS = { param: 'organizationId', roles: ['owner'], kinds: ['provider'] } as const;
const PROVIDER_ORG_MEMBERS = { param: 'organizationId', kinds: ['provider'] } as const;

@Controller('v1')
export class ProviderAccountsController {
  constructor(private readonly accounts: ProviderAccountsService) {}

  /** A provider organization registers an account at a cloud API, with its token, regions, sizes and capacity. */
  @Post('organizations/:organizationId/provider-accounts')
  @HttpCode(201)
  @RequireOrganization(PROVIDER_ORG_OWNERS)
  register(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: registerProviderAccountSchema }) body: RegisterProviderAccountDto,
  ): Promise<ProviderAccountDto> {
    return this.accounts.register(principal, organizationId, body);
  }

  @Get('organizations/:organizationId/provider-accounts')
  @RequireOrganization(PROVIDER_ORG_MEMBERS)
  listOwn(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Query({ schema: pageQuerySchema }) query: PageQuery,
  ): Promise<Page<ProviderAccountDto>> {
    return this.accounts.list(query, organizationId);
  }

  /** What operators choose from: every account's regions, sizes, prices and free capacity. */
  @Get('provider-accounts')
  @Authenticated()
  list(@Query({ schema: pageQuerySchema }) query: PageQuery): Promise<Page<ProviderAccountDto>> {
    return this.accounts.list(query);
  }

  @Get('provider-accounts/:accountId')
  @Authenticated()
  get(@Param('accountId', UuidParamPipe) accountId: string): Promise<ProviderAccountDto> {
    return this.accounts.get(accountId);
  }
}

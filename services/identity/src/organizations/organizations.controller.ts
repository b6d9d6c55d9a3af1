import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, type PageQuery, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import {
  type CreateOrganizationDto,
  createOrganizationSchema,
  type MemberDto,
  type OrganizationDto,
  type SetMemberDto,
  setMemberSchema,
} from './dto.js';
import { OrganizationsService } from './organizations.service.js';

@Controller('v1/organizations')
export class OrganizationsController {
  constructor(private readonly organizations: OrganizationsService) {}

  /** Any account may found an organization (a developer project, an operator, a provider, a partner). */
  @Post()
  @HttpCode(201)
  @Authenticated()
  create(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: createOrganizationSchema }) body: CreateOrganizationDto,
  ): Promise<OrganizationDto> {
    return this.organizations.create(principal, body);
  }

  @Get()
  @Authenticated()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<Page<OrganizationDto>> {
    return this.organizations.list(principal, page);
  }

  @Get(':organizationId')
  @RequireOrganization({ param: 'organizationId' })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
  ): Promise<OrganizationDto> {
    return this.organizations.get(principal, organizationId);
  }

  @Get(':organizationId/members')
  @RequireOrganization({ param: 'organizationId' })
  members(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<Page<MemberDto>> {
    return this.organizations.members(organizationId, page);
  }

  /** Changes a member's role (by account id). New members come by invitation (…/invitations). */
  @Put(':organizationId/members/:accountId')
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  setMember(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('accountId', UuidParamPipe) accountId: string,
    @Body({ schema: setMemberSchema }) body: SetMemberDto,
  ): Promise<MemberDto> {
    return this.organizations.setMember(principal, organizationId, accountId, body);
  }

  /** The caller leaves the organization (the last owner cannot). */
  @Post(':organizationId/leave')
  @HttpCode(204)
  @RequireOrganization({ param: 'organizationId', admins: false })
  async leave(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
  ): Promise<void> {
    await this.organizations.leave(principal, organizationId);
  }

  @Delete(':organizationId/members/:accountId')
  @HttpCode(204)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  async removeMember(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('accountId', UuidParamPipe) accountId: string,
  ): Promise<void> {
    await this.organizations.removeMember(principal, organizationId, accountId);
  }
}

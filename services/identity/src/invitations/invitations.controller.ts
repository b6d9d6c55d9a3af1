import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, type PageQuery, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import { type MemberDto } from '../organizations/dto.js';
import { type CreateInvitationDto, createInvitationSchema, type InvitationDto } from './dto.js';
import { InvitationsService } from './invitations.service.js';

/** An organization's side: its owners invite accounts, see and cancel what is pending. */
@Controller('v1/organizations/:organizationId/invitations')
export class OrganizationInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  /** Invites an account (by id); inviting it again while that invitation is pending answers the same one. */
  @Post()
  @HttpCode(201)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  invite(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: createInvitationSchema }) body: CreateInvitationDto,
  ): Promise<InvitationDto> {
    return this.invitations.invite(principal, organizationId, body);
  }

  @Get()
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  pending(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<Page<InvitationDto>> {
    return this.invitations.pendingOfOrganization(organizationId, page);
  }

  @Delete(':invitationId')
  @HttpCode(204)
  @RequireOrganization({ param: 'organizationId', roles: ['owner'] })
  async cancel(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('invitationId', UuidParamPipe) invitationId: string,
  ): Promise<void> {
    await this.invitations.cancel(organizationId, invitationId);
  }
}

/** The invitee's side: only the invited account sees, accepts or declines its invitations. */
@Controller('v1/invitations')
export class MyInvitationsController {
  constructor(private readonly invitations: InvitationsService) {}

  @Get()
  @Authenticated()
  mine(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: pageQuerySchema }) page: PageQuery,
  ): Promise<Page<InvitationDto>> {
    return this.invitations.pendingOfAccount(principal, page);
  }

  /** The caller joins the organization; its next access token names it. */
  @Post(':invitationId/accept')
  @HttpCode(200)
  @Authenticated()
  accept(
    @CurrentPrincipal() principal: Principal,
    @Param('invitationId', UuidParamPipe) invitationId: string,
  ): Promise<MemberDto> {
    return this.invitations.accept(principal, invitationId);
  }

  @Post(':invitationId/decline')
  @HttpCode(204)
  @Authenticated()
  async decline(
    @CurrentPrincipal() principal: Principal,
    @Param('invitationId', UuidParamPipe) invitationId: string,
  ): Promise<void> {
    await this.invitations.decline(principal, invitationId);
  }
}

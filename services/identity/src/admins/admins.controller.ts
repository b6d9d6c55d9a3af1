import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequirePlatformRole } from '@onecommons/auth';
import { UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { type AdminDto, AdminsService } from './admins.service.js';

const bootstrapSchema = z.strictObject({ token: z.string({ error: 'must be a string' }).min(1).max(512) });

@Controller('v1/admins')
export class AdminsController {
  constructor(private readonly admins: AdminsService) {}

  /** The first admin: the caller, given the platform's bootstrap token. New access tokens carry the role. */
  @Post('bootstrap')
  @HttpCode(200)
  @Authenticated()
  bootstrap(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: bootstrapSchema }) body: z.output<typeof bootstrapSchema>,
  ): Promise<AdminDto> {
    return this.admins.bootstrap(principal, body.token);
  }

  @Get()
  @RequirePlatformRole('admin')
  async list(): Promise<{ items: AdminDto[] }> {
    return { items: await this.admins.list() };
  }

  @Put(':accountId')
  @RequirePlatformRole('admin')
  grant(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId', UuidParamPipe) accountId: string,
  ): Promise<AdminDto> {
    return this.admins.grant(principal, accountId);
  }

  @Delete(':accountId')
  @HttpCode(204)
  @RequirePlatformRole('admin')
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('accountId', UuidParamPipe) accountId: string,
  ): Promise<void> {
    await this.admins.revoke(principal, accountId);
  }
}

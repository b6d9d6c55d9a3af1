import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, Public, RequireSelf } from '@onecommons/auth';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiErrors, RateLimited, UuidParamPipe } from '@onecommons/service-kit';
import { REGISTRATION_LIMITS } from '../rate-limits/identity-rate-limits.js';
import { AccountsService } from './accounts.service.js';
import {
  type AccountDto,
  accountSchema,
  type RegisterAccountDto,
  registerAccountSchema,
} from './dto/register-account.dto.js';

@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @HttpCode(201)
  @Public()
  @RateLimited(...REGISTRATION_LIMITS)
  @ApiCreatedResponse({ description: 'The new account', standardSchema: accountSchema })
  @ApiErrors(400, 409)
  register(@Body({ schema: registerAccountSchema }) body: RegisterAccountDto): Promise<AccountDto> {
    return this.accounts.register(body);
  }

  /** The caller's own account: the only account a subscriber can read. */
  @Get('me')
  @Authenticated()
  @ApiOkResponse({ description: 'The caller’s account', standardSchema: accountSchema })
  me(@CurrentPrincipal() principal: Principal): Promise<AccountDto> {
    return this.accounts.findOwn(principal.subject);
  }

  /** An account by id: only that account itself (or a platform admin) may read it. */
  @Get(':accountId')
  @RequireSelf('accountId')
  get(@Param('accountId', UuidParamPipe) accountId: string): Promise<AccountDto> {
    return this.accounts.find(accountId);
  }
}

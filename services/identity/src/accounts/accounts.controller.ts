import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal } from '@onecommons/auth';
import { ZodValidationPipe } from '@onecommons/service-kit';
import { AccountsService } from './accounts.service.js';
import {
  type AccountDto,
  type RegisterAccountDto,
  registerAccountSchema,
} from './dto/register-account.dto.js';

@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @HttpCode(201)
  register(
    @Body(new ZodValidationPipe(registerAccountSchema)) body: RegisterAccountDto,
  ): Promise<AccountDto> {
    return this.accounts.register(body);
  }

  /** The caller's own account: the only account a subscriber can read. */
  @Get('me')
  @Authenticated()
  me(@CurrentPrincipal() principal: Principal): Promise<AccountDto> {
    return this.accounts.findOwn(principal.subject);
  }
}

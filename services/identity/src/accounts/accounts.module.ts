import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { AccountTokens } from './account-tokens.js';
import { AccountTokensRepository } from './account-tokens.repository.js';
import { AccountsController } from './accounts.controller.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { EmailVerification } from './email-verification.js';
import { PasswordHasher } from './password-hasher.js';
import { Reauthentication } from './reauthentication.js';

@Module({
  imports: [MailModule],
  controllers: [AccountsController],
  providers: [
    AccountsRepository,
    AccountsService,
    PasswordHasher,
    AccountTokensRepository,
    AccountTokens,
    EmailVerification,
    Reauthentication,
  ],
  exports: [AccountsRepository, PasswordHasher, AccountTokens, EmailVerification, Reauthentication],
})
export class AccountsModule {}

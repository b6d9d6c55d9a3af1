import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller.js';
import { AccountsRepository } from './accounts.repository.js';
import { AccountsService } from './accounts.service.js';
import { PasswordHasher } from './password-hasher.js';

@Module({
  controllers: [AccountsController],
  providers: [AccountsRepository, AccountsService, PasswordHasher],
  exports: [AccountsRepository],
})
export class AccountsModule {}

import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { MailModule } from '../mail/mail.module.js';
import { OrganizationsModule } from '../organizations/organizations.module.js';
import { formBody } from '../pages/form-body.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { AccountDeletion } from './account-deletion.js';
import { AccountLifecycleController } from './account-lifecycle.controller.js';
import { AccountPagesController } from './account-pages.controller.js';
import { AccountSecurity } from './account-security.js';
import { PasswordReset } from './password-reset.js';

/** Email verification, password reset and change, signing out everywhere and deletion; API and pages. */
@Module({
  imports: [AccountsModule, SessionsModule, MailModule, OrganizationsModule],
  controllers: [AccountLifecycleController, AccountPagesController],
  providers: [PasswordReset, AccountSecurity, AccountDeletion],
})
export class AccountLifecycleModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(formBody).forRoutes(AccountPagesController);
  }
}

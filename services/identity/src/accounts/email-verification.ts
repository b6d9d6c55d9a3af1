import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { MailQueue } from '../mail/mail-queue.js';
import { ACCOUNT_PAGES, accountPageLink } from '../pages/account-links.js';
import { accountGone } from './account-gone.js';
import { AccountTokens } from './account-tokens.js';
import { AccountsRepository } from './accounts.repository.js';

/** An account proves its email by opening the link mailed to it at registration (or sent again on request). */
@Injectable()
export class EmailVerification {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly tokens: AccountTokens,
    private readonly mail: MailQueue,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Mails a new verification link in the caller's transaction (older links stop working). */
  async start(manager: EntityManager, accountId: string, email: string): Promise<void> {
    const token = await this.tokens.issue(manager, accountId, 'email_verification');
    await this.mail.queue(manager, accountId, email, {
      template: 'email_verification',
      link: accountPageLink(this.config.PUBLIC_URL, ACCOUNT_PAGES.verifyEmail, token),
    });
  }

  /** Sends the link again; refused once the email is verified. */
  async resend(accountId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const account = await this.accounts.lockCredentials(manager, accountId);
      if (!account) throw accountGone();
      if (account.emailVerified)
        throw IdentityError.conflict(
          'email_already_verified',
          'The email of this account is already verified.',
        );
      await this.start(manager, account.id, account.email);
    });
  }

  /** Uses a verification token: the account's email is verified. */
  async confirm(token: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const accountId = await this.tokens.use(manager, token, 'email_verification');
      await this.accounts.markEmailVerified(manager, accountId);
    });
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { AccountTokens } from '../accounts/account-tokens.js';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { type IdentityConfig } from '../config.js';
import { MailQueue } from '../mail/mail-queue.js';
import { ACCOUNT_PAGES, accountPageLink } from '../pages/account-links.js';
import { AccountSessions } from '../sessions/account-sessions.js';

/**
 * A request answers no sooner than this after it arrived, whether a mail was queued or not, so its timing does
 * not tell who has an account (the work for a real one is a few milliseconds of SQL; sending is the worker's).
 */
const REQUEST_ANSWER_FLOOR_MS = 250;

/** Forgotten passwords: a single-use link by mail, then a new password and every session ended. */
@Injectable()
export class PasswordReset {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: AccountsRepository,
    private readonly tokens: AccountTokens,
    private readonly hasher: PasswordHasher,
    private readonly mail: MailQueue,
    private readonly sessions: AccountSessions,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /** Mails a reset link when an account has this email; the same answer, as late, when none has. */
  async request(email: string): Promise<void> {
    const started = Date.now();
    const account = await this.accounts.credentialsByEmail(email);
    if (account)
      await this.dataSource.transaction(async (manager) => {
        const token = await this.tokens.issue(manager, account.id, 'password_reset');
        await this.mail.queue(manager, account.id, account.email, {
          template: 'password_reset',
          link: accountPageLink(this.config.PUBLIC_URL, ACCOUNT_PAGES.resetPassword, token),
        });
      });
    await sleep(Math.max(0, started + REQUEST_ANSWER_FLOOR_MS - Date.now()));
  }

  /**
   * Sets the new password with a live token and ends every session. Opening the mailed link also proves the
   * address, so the email counts as verified; the owner is told by mail that the password changed.
   */
  async confirm(token: string, password: string): Promise<void> {
    // Hashing is slow on purpose: not for tokens that would be refused anyway.
    if (!(await this.tokens.isLive(token, 'password_reset'))) throw this.tokens.refusal('password_reset');
    const passwordHash = await this.hasher.hash(password);
    await this.dataSource.transaction(async (manager) => {
      const accountId = await this.tokens.use(manager, token, 'password_reset');
      const account = await this.accounts.lockCredentials(manager, accountId);
      if (!account) throw this.tokens.refusal('password_reset');
      await this.accounts.setPasswordHash(manager, accountId, passwordHash);
      await this.accounts.markEmailVerified(manager, accountId);
      await this.sessions.endAll(manager, accountId, 'password_reset');
      await this.mail.queue(manager, accountId, account.email, { template: 'password_changed' });
    });
  }
}

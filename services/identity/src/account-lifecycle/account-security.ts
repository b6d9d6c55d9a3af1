import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { PasswordHasher } from '../accounts/password-hasher.js';
import { Reauthentication } from '../accounts/reauthentication.js';
import { MailQueue } from '../mail/mail-queue.js';
import { AccountSessions } from '../sessions/account-sessions.js';
import { type TokenPairDto } from '../sessions/dto.js';
import { RefreshTokens } from '../sessions/refresh-tokens.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { type PasswordChangeDto } from './dto.js';

/**
 * What a signed-in account does to shut others out: change its password (with the current one; every session
 * ends and the caller gets a fresh pair, so it also signs out the others) or sign out everywhere.
 */
@Injectable()
export class AccountSecurity {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reauthentication: Reauthentication,
    private readonly accounts: AccountsRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: AccountSessions,
    private readonly refreshTokens: RefreshTokens,
    private readonly tokenPairs: SessionsService,
    private readonly mail: MailQueue,
  ) {}

  async changePassword(accountId: string, input: PasswordChangeDto): Promise<TokenPairDto> {
    const passwordHash = await this.hasher.hash(input.newPassword);
    const refreshToken = await this.dataSource.transaction(async (manager) => {
      const account = await this.reauthentication.lockAndVerify(
        manager,
        accountId,
        input.currentPassword,
        'currentPassword',
      );
      await this.accounts.setPasswordHash(manager, accountId, passwordHash);
      await this.sessions.endAll(manager, accountId, 'password_changed');
      await this.mail.queue(manager, accountId, account.email, { template: 'password_changed' });
      return this.refreshTokens.startFamily(manager, accountId);
    });
    return this.tokenPairs.tokenPair(accountId, refreshToken);
  }

  /** Ends every session of the account: the API's refresh tokens and the apps' OpenID sign-ins (see AccountSessions). */
  async signOutEverywhere(accountId: string): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.sessions.endAll(manager, accountId, 'signed_out_everywhere'),
    );
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryRows, queryExists } from '@onecommons/persistence';

export interface AccountCredentials {
  readonly id: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly emailVerified: boolean;
}

const credentialsRow = z
  .object({ id: z.string(), email: z.string(), password_hash: z.string(), email_verified: z.boolean() })
  .transform((row): AccountCredentials => ({
    id: row.id,
    email: row.email,
    passwordHash: row.password_hash,
    emailVerified: row.email_verified,
  }));

const CREDENTIALS = 'SELECT id, email, password_hash, email_verified FROM accounts';

/**
 * The accounts table as other features read and change it (registration and profiles go through the Account
 * entity). A deleted account is none of these methods' business: they never find it.
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async exists(manager: EntityManager, accountId: string): Promise<boolean> {
    return queryExists(
      manager,
      { name: 'accounts.exists', sql: 'SELECT 1 FROM accounts WHERE id = $1 AND deleted_at IS NULL' },
      [accountId],
    );
  }

  /** Null when no (live) account has this (normalised) email. */
  async credentialsByEmail(email: string): Promise<AccountCredentials | null> {
    const [account] = await queryRows(
      this.dataSource,
      {
        name: 'accounts.credentialsByEmail',
        row: credentialsRow,
        sql: `${CREDENTIALS} WHERE email = $1 AND deleted_at IS NULL`,
      },
      [email],
    );
    return account ?? null;
  }

  /** The live account, locked until the transaction ends (its password and email change one at a time). */
  async lockCredentials(manager: EntityManager, accountId: string): Promise<AccountCredentials | null> {
    const [account] = await queryRows(
      manager,
      {
        name: 'accounts.lockCredentials',
        row: credentialsRow,
        sql: `${CREDENTIALS} WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      },
      [accountId],
    );
    return account ?? null;
  }

  async setPasswordHash(manager: EntityManager, accountId: string, passwordHash: string): Promise<void> {
    await manager.query('UPDATE accounts SET password_hash = $2 WHERE id = $1', [accountId, passwordHash]);
  }

  async markEmailVerified(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query('UPDATE accounts SET email_verified = true WHERE id = $1', [accountId]);
  }

  /**
   * Erases the account's personal data and marks it deleted; the id stays. The email becomes `deleted:<id>`,
   * which no address equals (so it can register again) and no login finds; the password hash is emptied.
   */
  async erase(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query(
      `UPDATE accounts SET email = 'deleted:' || id::text, password_hash = '', email_verified = false,
         deleted_at = now() WHERE id = $1`,
      [accountId],
    );
  }
}

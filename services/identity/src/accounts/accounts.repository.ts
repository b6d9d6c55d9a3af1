import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryRows, queryExists } from '@onecommons/persistence';

export interface AccountCredentials {
  readonly id: string;
  readonly passwordHash: string;
}

/** A row whose columns are not read: only that it is there. */
const credentialsRow = z
  .object({ id: z.string(), password_hash: z.string() })
  .transform((row): AccountCredentials => ({ id: row.id, passwordHash: row.password_hash }));

/** The accounts table as other features read it (registration and profiles go through the Account entity). */
@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async exists(manager: EntityManager, accountId: string): Promise<boolean> {
    return queryExists(manager, { name: 'accounts.exists', sql: 'SELECT 1 FROM accounts WHERE id = $1' }, [
      accountId,
    ]);
  }

  /** Null when no account has this (normalised) email. */
  async credentialsByEmail(email: string): Promise<AccountCredentials | null> {
    const [account] = await queryRows(
      this.dataSource,
      {
        name: 'accounts.credentialsByEmail',
        row: credentialsRow,
        sql: 'SELECT id, password_hash FROM accounts WHERE email = $1',
      },
      [email],
    );
    return account ?? null;
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryOne, queryRows } from '@onecommons/persistence';

export interface Admin {
  readonly accountId: string;
  readonly grantedBy: string | null;
  readonly grantedAt: Date;
}

const adminRow = z
  .object({ account_id: z.string(), granted_by: z.string().nullable(), granted_at: z.date() })
  .transform((row): Admin => ({
    accountId: row.account_id,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at,
  }));

const accountIdRow = z.object({ account_id: z.string() });

/** Platform admins: the platform_roles rows of role 'admin'. */
@Injectable()
export class AdminsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Changes to who is an admin go one at a time until the transaction ends (reads are not blocked). */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query('LOCK TABLE platform_roles IN SHARE ROW EXCLUSIVE MODE');
  }

  async all(manager: EntityManager): Promise<Admin[]> {
    return queryRows(
      manager,
      {
        name: 'admins.all',
        row: adminRow,
        sql: `SELECT account_id, granted_by, granted_at FROM platform_roles WHERE role = 'admin'`,
      },
      [],
    );
  }

  async list(): Promise<Admin[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'admins.list',
        row: adminRow,
        sql: `SELECT account_id, granted_by, granted_at FROM platform_roles WHERE role = 'admin' ORDER BY account_id`,
      },
      [],
    );
  }

  async accountIds(manager: EntityManager): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'admins.accountIds',
        row: accountIdRow,
        sql: `SELECT account_id FROM platform_roles WHERE role = 'admin'`,
      },
      [],
    );
    return rows.map((row) => row.account_id);
  }

  /** Null when the account is not an admin. */
  async find(manager: EntityManager, accountId: string): Promise<Admin | null> {
    const [admin] = await queryRows(
      manager,
      {
        name: 'admins.find',
        row: adminRow,
        sql: `SELECT account_id, granted_by, granted_at FROM platform_roles WHERE account_id = $1 AND role = 'admin'`,
      },
      [accountId],
    );
    return admin ?? null;
  }

  async grant(manager: EntityManager, accountId: string, grantedBy: string | null): Promise<Admin> {
    return queryOne(
      manager,
      {
        name: 'admins.grant',
        row: adminRow,
        sql: `INSERT INTO platform_roles (account_id, role, granted_by) VALUES ($1, 'admin', $2)
       RETURNING account_id, granted_by, granted_at`,
      },
      [accountId, grantedBy],
    );
  }

  async revoke(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query(`DELETE FROM platform_roles WHERE account_id = $1 AND role = 'admin'`, [accountId]);
  }
}

import { Injectable } from '@nestjs/common';
import {
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  type OrganizationGrant,
  PLATFORM_ROLES,
  type PlatformRole,
} from '@onecommons/auth';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { queryRows } from '@onecommons/persistence';

const grantRow = z
  .object({ id: z.string(), kind: z.enum(ORGANIZATION_KINDS), role: z.enum(ORGANIZATION_ROLES) })
  .transform((row): OrganizationGrant => ({ id: row.id, kind: row.kind, role: row.role }));

const platformRoleRow = z.object({ role: z.enum(PLATFORM_ROLES) });

/** An account's memberships (with each organization's kind) and platform roles, as access checks read them. */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async organizationsOfAccount(accountId: string): Promise<OrganizationGrant[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'directory.organizationsOfAccount',
        row: grantRow,
        sql: `SELECT o.id, o.kind, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.account_id = $1 ORDER BY o.id`,
      },
      [accountId],
    );
  }

  async platformRolesOfAccount(accountId: string): Promise<PlatformRole[]> {
    const rows = await queryRows(
      this.dataSource,
      {
        name: 'directory.platformRolesOfAccount',
        row: platformRoleRow,
        sql: 'SELECT role FROM platform_roles WHERE account_id = $1 ORDER BY role',
      },
      [accountId],
    );
    return rows.map((row) => row.role);
  }

  /** Null when the account is not a member of the organization. */
  async membershipOfAccount(accountId: string, organizationId: string): Promise<OrganizationGrant | null> {
    const [grant] = await queryRows(
      this.dataSource,
      {
        name: 'directory.membershipOfAccount',
        row: grantRow,
        sql: `SELECT o.id, o.kind, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.account_id = $1 AND m.organization_id = $2`,
      },
      [accountId, organizationId],
    );
    return grant ?? null;
  }
}

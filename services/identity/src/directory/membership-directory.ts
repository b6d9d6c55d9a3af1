import { Injectable } from '@nestjs/common';
import {
  type AccessDirectory,
  type OrganizationGrant,
  type OrganizationKind,
  type OrganizationRole,
  type PlatformRole,
  type Principal,
} from '@onecommons/auth';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';

interface GrantRow {
  id: string;
  kind: OrganizationKind;
  role: OrganizationRole;
}

const toGrant = ({ id, kind, role }: GrantRow): OrganizationGrant => ({ id, kind, role });

/**
 * What an account is in each of its organizations and on the platform, read from identity's own tables.
 * Identity's endpoints check against these, not the token: a revocation counts at once here (other
 * services go by the token's claims until it expires).
 */
@Injectable()
export class MembershipDirectory implements AccessDirectory {
  constructor(private readonly dataSource: DataSource) {}

  async organizationsOfAccount(accountId: string): Promise<OrganizationGrant[]> {
    const rows = (await this.dataSource.query(
      `SELECT o.id, o.kind, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.account_id = $1 ORDER BY o.id`,
      [accountId],
    )) as GrantRow[];
    return rows.map(toGrant);
  }

  async platformRolesOfAccount(accountId: string): Promise<PlatformRole[]> {
    const rows = (await this.dataSource.query(
      'SELECT role FROM platform_roles WHERE account_id = $1 ORDER BY role',
      [accountId],
    )) as { role: PlatformRole }[];
    return rows.map((row) => row.role);
  }

  platformRolesOf(principal: Principal): Promise<PlatformRole[]> {
    return this.platformRolesOfAccount(principal.subject);
  }

  membershipOf(principal: Principal, organizationId: string): Promise<OrganizationGrant | null> {
    return this.membershipOfAccount(principal.subject, organizationId);
  }

  async membershipOfAccount(accountId: string, organizationId: string): Promise<OrganizationGrant | null> {
    if (!UUID_PATTERN.test(organizationId)) return null;
    const [row] = (await this.dataSource.query(
      `SELECT o.id, o.kind, m.role FROM memberships m JOIN organizations o ON o.id = m.organization_id
        WHERE m.account_id = $1 AND m.organization_id = $2`,
      [accountId, organizationId],
    )) as GrantRow[];
    return row ? toGrant(row) : null;
  }
}

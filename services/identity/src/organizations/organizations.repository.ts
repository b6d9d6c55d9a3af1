import { Injectable } from '@nestjs/common';
import {
  ORGANIZATION_KINDS,
  ORGANIZATION_ROLES,
  type OrganizationKind,
  type OrganizationRole,
} from '@onecommons/auth';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryOne, queryRows, queryExists } from '@onecommons/persistence';

/** An organization as one account sees it: with that account's role, null when it is not a member. */
export interface Organization {
  readonly id: string;
  readonly name: string;
  readonly kind: OrganizationKind;
  readonly createdBy: string;
  readonly createdAt: Date;
  readonly role: OrganizationRole | null;
}

export interface NewOrganization {
  readonly id: string;
  readonly name: string;
  readonly kind: OrganizationKind;
  readonly createdBy: string;
}

export interface Member {
  readonly accountId: string;
  readonly role: OrganizationRole;
  readonly grantedBy: string | null;
  readonly grantedAt: Date;
}

/** A member on a page of members, with its cursor key (the account id). */
export interface PagedMember extends Member {
  readonly id: string;
}

export interface NewMember {
  readonly organizationId: string;
  readonly accountId: string;
  readonly role: OrganizationRole;
  readonly grantedBy: string;
}

/** An organization's kind, as the API keys read it too. */
export const organizationKindRow = z.object({ kind: z.enum(ORGANIZATION_KINDS) });

const organizationRow = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(ORGANIZATION_KINDS),
    created_by: z.string(),
    created_at: z.date(),
    role: z.enum(ORGANIZATION_ROLES).nullable(),
  })
  .transform((row): Organization => ({
    id: row.id,
    name: row.name,
    kind: row.kind,
    createdBy: row.created_by,
    createdAt: row.created_at,
    role: row.role,
  }));

const memberColumns = z.object({
  account_id: z.string(),
  role: z.enum(ORGANIZATION_ROLES),
  granted_by: z.string().nullable(),
  granted_at: z.date(),
});

const toMember = (row: z.output<typeof memberColumns>): Member => ({
  accountId: row.account_id,
  role: row.role,
  grantedBy: row.granted_by,
  grantedAt: row.granted_at,
});

const memberRow = memberColumns.transform(toMember);

const pagedMemberRow = memberColumns
  .extend({ id: z.string() })
  .transform((row): PagedMember => ({ id: row.id, ...toMember(row) }));

const roleRow = z.object({ role: z.enum(ORGANIZATION_ROLES) });

const grantedAtRow = z.object({ granted_at: z.date() });

const ownersRow = z.object({ owners: z.number().int() });

const membershipOfRow = z
  .object({ organization_id: z.string(), sole_owner: z.boolean() })
  .transform((row) => ({ organizationId: row.organization_id, soleOwner: row.sole_owner }));

/** The organizations and their memberships (who belongs to which, with which role). */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(manager: EntityManager, organization: NewOrganization): Promise<Organization> {
    return queryOne(
      manager,
      {
        name: 'organizations.create',
        row: organizationRow,
        sql: `INSERT INTO organizations (id, name, kind, created_by) VALUES ($1, $2, $3, $4)
           RETURNING id, name, kind, created_by, created_at, 'owner' AS role`,
      },
      [organization.id, organization.name, organization.kind, organization.createdBy],
    );
  }

  /** At most `limit` organizations in id order after `afterId`: the account's, or every one with `everything`. */
  async list(
    accountId: string,
    everything: boolean,
    afterId: string | null,
    limit: number,
  ): Promise<Organization[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'organizations.list',
        row: organizationRow,
        sql: `SELECT o.id, o.name, o.kind, o.created_by, o.created_at, m.role
         FROM organizations o
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.account_id = $1
        WHERE ($2 OR m.account_id IS NOT NULL) AND ($3::uuid IS NULL OR o.id > $3)
        ORDER BY o.id LIMIT $4`,
      },
      [accountId, everything, afterId, limit],
    );
  }

  /** The organization as the account sees it; null when there is no such organization. */
  async find(accountId: string, organizationId: string): Promise<Organization | null> {
    const [organization] = await queryRows(
      this.dataSource,
      {
        name: 'organizations.find',
        row: organizationRow,
        sql: `SELECT o.id, o.name, o.kind, o.created_by, o.created_at, m.role
         FROM organizations o
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.account_id = $1
        WHERE o.id = $2`,
      },
      [accountId, organizationId],
    );
    return organization ?? null;
  }

  async exists(organizationId: string): Promise<boolean> {
    return queryExists(
      this.dataSource,
      { name: 'organizations.exists', sql: 'SELECT 1 FROM organizations WHERE id = $1' },
      [organizationId],
    );
  }

  /** Locks the organization's row until the transaction ends; its kind, or null when there is none. */
  async lock(manager: EntityManager, organizationId: string): Promise<OrganizationKind | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'organizations.lock',
        row: organizationKindRow,
        sql: 'SELECT kind FROM organizations WHERE id = $1 FOR UPDATE',
      },
      [organizationId],
    );
    return row?.kind ?? null;
  }

  /** Makes the founder the organization's first owner; when it was granted. */
  async addFounder(manager: EntityManager, organizationId: string, accountId: string): Promise<Date> {
    const row = await queryOne(
      manager,
      {
        name: 'organizations.addFounder',
        row: grantedAtRow,
        sql: `INSERT INTO memberships (organization_id, account_id, role, granted_by) VALUES ($1, $2, 'owner', $2)
           RETURNING granted_at`,
      },
      [organizationId, accountId],
    );
    return row.granted_at;
  }

  async addMember(manager: EntityManager, member: NewMember): Promise<Member> {
    return queryOne(
      manager,
      {
        name: 'organizations.addMember',
        row: memberRow,
        sql: `INSERT INTO memberships (organization_id, account_id, role, granted_by) VALUES ($1, $2, $3, $4)
         RETURNING account_id, role, granted_by, granted_at`,
      },
      [member.organizationId, member.accountId, member.role, member.grantedBy],
    );
  }

  /** The account's role in the organization; null when it is not a member. */
  async roleOf(
    manager: EntityManager,
    organizationId: string,
    accountId: string,
  ): Promise<OrganizationRole | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'organizations.roleOf',
        row: roleRow,
        sql: 'SELECT role FROM memberships WHERE organization_id = $1 AND account_id = $2',
      },
      [organizationId, accountId],
    );
    return row?.role ?? null;
  }

  /** A member known to be one. */
  async member(manager: EntityManager, organizationId: string, accountId: string): Promise<Member> {
    return queryOne(
      manager,
      {
        name: 'organizations.member',
        row: memberRow,
        sql: 'SELECT account_id, role, granted_by, granted_at FROM memberships WHERE organization_id = $1 AND account_id = $2',
      },
      [organizationId, accountId],
    );
  }

  /** At most `limit` members in account id order after `afterAccountId`. */
  async members(
    organizationId: string,
    afterAccountId: string | null,
    limit: number,
  ): Promise<PagedMember[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'organizations.members',
        row: pagedMemberRow,
        sql: `SELECT account_id AS id, account_id, role, granted_by, granted_at FROM memberships
        WHERE organization_id = $1 AND ($2::uuid IS NULL OR account_id > $2)
        ORDER BY account_id LIMIT $3`,
      },
      [organizationId, afterAccountId, limit],
    );
  }

  /** How many owners the organization has besides the account. */
  async ownersBesides(manager: EntityManager, organizationId: string, accountId: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'organizations.ownersBesides',
        row: ownersRow,
        sql: `SELECT count(*)::int AS owners FROM memberships
      WHERE organization_id = $1 AND role = 'owner' AND account_id <> $2`,
      },
      [organizationId, accountId],
    );
    return row.owners;
  }

  /** The member's new role, granted now by `grantedBy`; the account is a member. */
  async setRole(
    manager: EntityManager,
    organizationId: string,
    accountId: string,
    role: OrganizationRole,
    grantedBy: string,
  ): Promise<Member> {
    return queryOne(
      manager,
      {
        name: 'organizations.setRole',
        row: memberRow,
        sql: `UPDATE memberships SET role = $3, granted_by = $4, granted_at = now()
          WHERE organization_id = $1 AND account_id = $2
          RETURNING account_id, role, granted_by, granted_at`,
      },
      [organizationId, accountId, role, grantedBy],
    );
  }

  /** The organizations the account belongs to, and of those the ones it is the only owner of. */
  async membershipsOf(
    manager: EntityManager,
    accountId: string,
  ): Promise<{ organizationId: string; soleOwner: boolean }[]> {
    return queryRows(
      manager,
      {
        name: 'organizations.membershipsOf',
        row: membershipOfRow,
        sql: `SELECT m.organization_id, m.role = 'owner' AND NOT EXISTS (
           SELECT 1 FROM memberships o WHERE o.organization_id = m.organization_id AND o.role = 'owner'
             AND o.account_id <> m.account_id) AS sole_owner
         FROM memberships m WHERE m.account_id = $1 ORDER BY m.organization_id`,
      },
      [accountId],
    );
  }

  async removeMember(manager: EntityManager, organizationId: string, accountId: string): Promise<void> {
    await manager.query('DELETE FROM memberships WHERE organization_id = $1 AND account_id = $2', [
      organizationId,
      accountId,
    ]);
  }
}

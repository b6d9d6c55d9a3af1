import { Injectable } from '@nestjs/common';
import { type OrganizationKind, type OrganizationRole, type Principal } from '@onecommons/auth';
import {
  createEvent,
  OrganizationCreatedV1,
  RoleGrantedV1,
  RoleRevokedV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { decodeCursor, type Page, pageOf, type PageQuery } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { isUniqueViolation } from '@onecommons/persistence';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { MembershipDirectory } from '../directory/membership-directory.js';
import { IdentityError } from '../identity-errors.js';
import {
  currentRole,
  ensureAnotherOwner,
  lockOrganization,
  type MemberRow,
  memberRow,
  organizationNotFound,
  toMemberDto,
} from './memberships.js';
import {
  type CreateOrganizationDto,
  type MemberDto,
  type OrganizationDto,
  type SetMemberDto,
} from './dto.js';

const SOURCE = { source: '/onecommons/identity' };

interface OrganizationRow {
  id: string;
  name: string;
  kind: OrganizationKind;
  created_by: string;
  created_at: Date;
  role: OrganizationRole | null;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly directory: MembershipDirectory,
    private readonly bounds: IdentityBounds,
  ) {}

  /** Creates an organization with the caller as its owner. */
  async create(principal: Principal, input: CreateOrganizationDto): Promise<OrganizationDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await this.bounds.ensureRoomForOrganization(manager, principal.subject);
        const id = uuidV7();
        const [row] = (await manager.query(
          `INSERT INTO organizations (id, name, kind, created_by) VALUES ($1, $2, $3, $4)
           RETURNING id, name, kind, created_by, created_at, 'owner' AS role`,
          [id, input.name, input.kind, principal.subject],
        )) as OrganizationRow[];
        const [membership] = (await manager.query(
          `INSERT INTO memberships (organization_id, account_id, role, granted_by) VALUES ($1, $2, 'owner', $2)
           RETURNING granted_at`,
          [id, principal.subject],
        )) as { granted_at: Date }[];
        const organization = toOrganizationDto(row as OrganizationRow);
        await this.outbox.append(manager, [
          createEvent(
            OrganizationCreatedV1,
            {
              organizationId: id,
              name: organization.name,
              kind: organization.kind,
              createdBy: principal.subject,
              createdAt: organization.createdAt,
            },
            SOURCE,
          ),
          createEvent(
            RoleGrantedV1,
            {
              accountId: principal.subject,
              organizationId: id,
              organizationKind: organization.kind,
              role: 'owner',
              grantedBy: principal.subject,
              grantedAt: (membership as { granted_at: Date }).granted_at.toISOString(),
            },
            SOURCE,
          ),
        ]);
        return organization;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw IdentityError.conflict(
          'organization_name_taken',
          `A ${input.kind} organization has this name.`,
          'name',
        );
      throw error;
    }
  }

  /** The caller's organizations; a platform admin sees every organization. */
  async list(principal: Principal, page: PageQuery): Promise<Page<OrganizationDto>> {
    const after = decodeCursor(page.cursor);
    const everything = (await this.directory.platformRolesOf(principal)).includes('admin');
    const rows = (await this.dataSource.query(
      `SELECT o.id, o.name, o.kind, o.created_by, o.created_at, m.role
         FROM organizations o
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.account_id = $1
        WHERE ($2 OR m.account_id IS NOT NULL) AND ($3::uuid IS NULL OR o.id > $3)
        ORDER BY o.id LIMIT $4`,
      [principal.subject, everything, after, page.limit + 1],
    )) as OrganizationRow[];
    return pageOf(rows, page.limit, toOrganizationDto);
  }

  async get(principal: Principal, organizationId: string): Promise<OrganizationDto> {
    const [row] = (await this.dataSource.query(
      `SELECT o.id, o.name, o.kind, o.created_by, o.created_at, m.role
         FROM organizations o
         LEFT JOIN memberships m ON m.organization_id = o.id AND m.account_id = $1
        WHERE o.id = $2`,
      [principal.subject, organizationId],
    )) as OrganizationRow[];
    if (!row) throw organizationNotFound();
    return toOrganizationDto(row);
  }

  async members(organizationId: string, page: PageQuery): Promise<Page<MemberDto>> {
    const [exists] = (await this.dataSource.query('SELECT 1 FROM organizations WHERE id = $1', [
      organizationId,
    ])) as unknown[];
    if (!exists) throw organizationNotFound();
    const after = decodeCursor(page.cursor);
    const rows = (await this.dataSource.query(
      `SELECT account_id AS id, account_id, role, granted_by, granted_at FROM memberships
        WHERE organization_id = $1 AND ($2::uuid IS NULL OR account_id > $2)
        ORDER BY account_id LIMIT $3`,
      [organizationId, after, page.limit + 1],
    )) as (MemberRow & { id: string })[];
    return pageOf(rows, page.limit, toMemberDto);
  }

  /**
   * Changes a member's role; the last owner cannot be demoted. Nobody is added here: an account joins only
   * by accepting an invitation (see InvitationsService).
   */
  async setMember(
    principal: Principal,
    organizationId: string,
    accountId: string,
    input: SetMemberDto,
  ): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      const kind = await lockOrganization(manager, organizationId);
      const current = await currentRole(manager, organizationId, accountId);
      if (!current)
        throw IdentityError.notFound(
          'member_not_found',
          'The account is not a member: invite it (POST …/invitations); it joins when it accepts.',
          'accountId',
        );
      if (current === input.role) return toMemberDto(await memberRow(manager, organizationId, accountId));
      if (current === 'owner') await ensureAnotherOwner(manager, organizationId, accountId);
      const [[row]] = (await manager.query(
        `UPDATE memberships SET role = $3, granted_by = $4, granted_at = now()
          WHERE organization_id = $1 AND account_id = $2
          RETURNING account_id, role, granted_by, granted_at`,
        [organizationId, accountId, input.role, principal.subject],
      )) as [MemberRow[], number];
      const member = toMemberDto(row as MemberRow);
      await this.outbox.append(manager, [
        createEvent(
          RoleGrantedV1,
          {
            accountId,
            organizationId,
            organizationKind: kind,
            role: input.role,
            grantedBy: principal.subject,
            grantedAt: member.grantedAt,
          },
          SOURCE,
        ),
      ]);
      return member;
    });
  }

  /** A member leaves of their own accord; the last owner cannot (they must hand over first). */
  async leave(principal: Principal, organizationId: string): Promise<void> {
    await this.removeMember(principal, organizationId, principal.subject);
  }

  async removeMember(principal: Principal, organizationId: string, accountId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await lockOrganization(manager, organizationId);
      const current = await currentRole(manager, organizationId, accountId);
      if (!current)
        throw IdentityError.notFound('member_not_found', 'The account is not a member of this organization.');
      if (current === 'owner') await ensureAnotherOwner(manager, organizationId, accountId);
      await manager.query('DELETE FROM memberships WHERE organization_id = $1 AND account_id = $2', [
        organizationId,
        accountId,
      ]);
      await this.outbox.append(manager, [
        createEvent(
          RoleRevokedV1,
          {
            accountId,
            organizationId,
            role: current,
            revokedBy: principal.subject,
            revokedAt: new Date().toISOString(),
          },
          SOURCE,
        ),
      ]);
    });
  }
}

function toOrganizationDto(row: OrganizationRow): OrganizationDto {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    role: row.role,
  };
}

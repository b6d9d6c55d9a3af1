import { Injectable } from '@nestjs/common';
import { type OrganizationKind, type OrganizationRole, type Principal } from '@onecommons/auth';
import { createEvent, RoleGrantedV1, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { decodeCursor, type Page, pageOf, type PageQuery } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { IdentityError } from '../identity-errors.js';
import { type MemberDto } from '../organizations/dto.js';
import { currentRole, lockOrganization, type MemberRow, toMemberDto } from '../organizations/memberships.js';
import { type CreateInvitationDto, type InvitationDto, type InvitationState } from './dto.js';

const SOURCE = { source: '/onecommons/identity' };

interface InvitationRow {
  id: string;
  organization_id: string;
  organization_name: string;
  organization_kind: OrganizationKind;
  account_id: string;
  role: OrganizationRole;
  invited_by: string;
  created_at: Date;
  state: InvitationState;
  decided_at: Date | null;
}

const SELECT_INVITATIONS = `SELECT i.id, i.organization_id, o.name AS organization_name, o.kind AS organization_kind,
    i.account_id, i.role, i.invited_by, i.created_at, i.state, i.decided_at
  FROM invitations i JOIN organizations o ON o.id = i.organization_id`;

/** Only the invitee learns an invitation exists: to anyone else it is not found. */
const invitationNotFound = () =>
  IdentityError.notFound('invitation_not_found', 'You have no such pending invitation.');

/**
 * Membership by consent: an owner invites an account, and the account joins only when it accepts (declining
 * or the owner cancelling ends the invitation). RoleGrantedV1 is emitted when the membership starts.
 */
@Injectable()
export class InvitationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
    private readonly bounds: IdentityBounds,
  ) {}

  /** Invites an account; inviting it again while an invitation is pending answers that invitation. */
  async invite(
    principal: Principal,
    organizationId: string,
    input: CreateInvitationDto,
  ): Promise<InvitationDto> {
    return this.dataSource.transaction(async (manager) => {
      await lockOrganization(manager, organizationId);
      const [account] = (await manager.query('SELECT 1 FROM accounts WHERE id = $1', [
        input.accountId,
      ])) as unknown[];
      if (!account) throw IdentityError.notFound('account_not_found', 'No account has this id.', 'accountId');
      if (await currentRole(manager, organizationId, input.accountId))
        throw IdentityError.conflict(
          'already_a_member',
          'The account is a member already: change its role with PUT …/members/:accountId.',
          'accountId',
        );
      const [pending] = await invitationsWhere(
        manager,
        `i.organization_id = $1 AND i.account_id = $2 AND i.state = 'pending'`,
        [organizationId, input.accountId],
      );
      if (pending) return toInvitationDto(pending);
      await this.bounds.ensureRoomForInvitation(manager, organizationId);
      const id = uuidV7();
      await manager.query(
        `INSERT INTO invitations (id, organization_id, account_id, role, invited_by) VALUES ($1, $2, $3, $4, $5)`,
        [id, organizationId, input.accountId, input.role, principal.subject],
      );
      const [row] = await invitationsWhere(manager, 'i.id = $1', [id]);
      return toInvitationDto(row as InvitationRow);
    });
  }

  /** The organization's pending invitations (for its owners). */
  async pendingOfOrganization(organizationId: string, page: PageQuery): Promise<Page<InvitationDto>> {
    const rows = await invitationsWhere(
      this.dataSource.manager,
      `i.organization_id = $1 AND i.state = 'pending' AND ($2::uuid IS NULL OR i.id > $2) ORDER BY i.id LIMIT $3`,
      [organizationId, decodeCursor(page.cursor), page.limit + 1],
    );
    return pageOf(rows, page.limit, toInvitationDto);
  }

  /** The caller's own pending invitations. */
  async pendingOfAccount(principal: Principal, page: PageQuery): Promise<Page<InvitationDto>> {
    const rows = await invitationsWhere(
      this.dataSource.manager,
      `i.account_id = $1 AND i.state = 'pending' AND ($2::uuid IS NULL OR i.id > $2) ORDER BY i.id LIMIT $3`,
      [principal.subject, decodeCursor(page.cursor), page.limit + 1],
    );
    return pageOf(rows, page.limit, toInvitationDto);
  }

  async cancel(organizationId: string, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const [row] = await invitationsWhere(
        manager,
        `i.id = $1 AND i.organization_id = $2 AND i.state = 'pending' FOR UPDATE OF i`,
        [invitationId, organizationId],
      );
      if (!row)
        throw IdentityError.notFound(
          'invitation_not_found',
          'This organization has no such pending invitation.',
        );
      await decide(manager, invitationId, 'cancelled');
    });
  }

  async decline(principal: Principal, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await pendingInvitationOf(manager, principal, invitationId);
      await decide(manager, invitationId, 'declined');
    });
  }

  /** The invitee joins: the membership starts now, within the bound on organizations per account. */
  async accept(principal: Principal, invitationId: string): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      // The organization's lock first, as every membership change takes it, then the invitation's.
      const [seen] = await invitationsWhere(manager, 'i.id = $1 AND i.account_id = $2', [
        invitationId,
        principal.subject,
      ]);
      if (!seen) throw invitationNotFound();
      const kind = await lockOrganization(manager, seen.organization_id);
      const invitation = await pendingInvitationOf(manager, principal, invitationId);
      await this.bounds.ensureRoomForOrganization(manager, principal.subject);
      const [row] = (await manager.query(
        `INSERT INTO memberships (organization_id, account_id, role, granted_by) VALUES ($1, $2, $3, $4)
         RETURNING account_id, role, granted_by, granted_at`,
        [invitation.organization_id, principal.subject, invitation.role, invitation.invited_by],
      )) as MemberRow[];
      await decide(manager, invitationId, 'accepted');
      const member = toMemberDto(row as MemberRow);
      await this.outbox.append(manager, [
        createEvent(
          RoleGrantedV1,
          {
            accountId: principal.subject,
            organizationId: invitation.organization_id,
            organizationKind: kind,
            role: invitation.role,
            grantedBy: invitation.invited_by,
            grantedAt: member.grantedAt,
          },
          SOURCE,
        ),
      ]);
      return member;
    });
  }
}

async function invitationsWhere(
  manager: EntityManager,
  condition: string,
  params: unknown[],
): Promise<InvitationRow[]> {
  return (await manager.query(`${SELECT_INVITATIONS} WHERE ${condition}`, params)) as InvitationRow[];
}

/** The caller's pending invitation, locked; anyone else's is not found. */
async function pendingInvitationOf(
  manager: EntityManager,
  principal: Principal,
  invitationId: string,
): Promise<InvitationRow> {
  const [row] = await invitationsWhere(
    manager,
    `i.id = $1 AND i.account_id = $2 AND i.state = 'pending' FOR UPDATE OF i`,
    [invitationId, principal.subject],
  );
  if (!row) throw invitationNotFound();
  return row;
}

async function decide(manager: EntityManager, invitationId: string, state: InvitationState): Promise<void> {
  await manager.query(`UPDATE invitations SET state = $2, decided_at = now() WHERE id = $1`, [
    invitationId,
    state,
  ]);
}

function toInvitationDto(row: InvitationRow): InvitationDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    organizationKind: row.organization_kind,
    accountId: row.account_id,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at.toISOString(),
    state: row.state,
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}

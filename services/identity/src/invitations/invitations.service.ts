import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { createEvent, RoleGrantedV1, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { decodeCursor, type Page, pageOf, type PageQuery } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { IdentityError } from '../identity-errors.js';
import { type MemberDto } from '../organizations/dto.js';
import { lockOrganization, toMemberDto } from '../organizations/memberships.js';
import { OrganizationsRepository } from '../organizations/organizations.repository.js';
import { type CreateInvitationDto, type InvitationDto } from './dto.js';
import { type Invitation, InvitationsRepository } from './invitations.repository.js';

const SOURCE = { source: '/onecommons/identity' };

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
    private readonly invitations: InvitationsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly accounts: AccountsRepository,
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
      await lockOrganization(this.organizations, manager, organizationId);
      if (!(await this.accounts.exists(manager, input.accountId)))
        throw IdentityError.notFound('account_not_found', 'No account has this id.', 'accountId');
      if (await this.organizations.roleOf(manager, organizationId, input.accountId))
        throw IdentityError.conflict(
          'already_a_member',
          'The account is a member already: change its role with PUT …/members/:accountId.',
          'accountId',
        );
      const pending = await this.invitations.pendingFor(manager, organizationId, input.accountId);
      if (pending) return toInvitationDto(pending);
      await this.bounds.ensureRoomForInvitation(manager, organizationId);
      const id = uuidV7();
      await this.invitations.insert(manager, {
        id,
        organizationId,
        accountId: input.accountId,
        role: input.role,
        invitedBy: principal.subject,
      });
      return toInvitationDto(await this.invitations.byId(manager, id));
    });
  }

  /** The organization's pending invitations (for its owners). */
  async pendingOfOrganization(organizationId: string, page: PageQuery): Promise<Page<InvitationDto>> {
    const rows = await this.invitations.pendingOfOrganization(
      organizationId,
      decodeCursor(page.cursor),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, toInvitationDto);
  }

  /** The caller's own pending invitations. */
  async pendingOfAccount(principal: Principal, page: PageQuery): Promise<Page<InvitationDto>> {
    const rows = await this.invitations.pendingOfAccount(
      principal.subject,
      decodeCursor(page.cursor),
      page.limit + 1,
    );
    return pageOf(rows, page.limit, toInvitationDto);
  }

  async cancel(organizationId: string, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.invitations.lockPendingOfOrganization(manager, invitationId, organizationId)))
        throw IdentityError.notFound(
          'invitation_not_found',
          'This organization has no such pending invitation.',
        );
      await this.invitations.decide(manager, invitationId, 'cancelled');
    });
  }

  async decline(principal: Principal, invitationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.pendingInvitationOf(manager, principal, invitationId);
      await this.invitations.decide(manager, invitationId, 'declined');
    });
  }

  /** The invitee joins: the membership starts now, within the bound on organizations per account. */
  async accept(principal: Principal, invitationId: string): Promise<MemberDto> {
    return this.dataSource.transaction(async (manager) => {
      // The organization's lock first, as every membership change takes it, then the invitation's.
      const seen = await this.invitations.ofAccount(manager, invitationId, principal.subject);
      if (!seen) throw invitationNotFound();
      const kind = await lockOrganization(this.organizations, manager, seen.organizationId);
      const invitation = await this.pendingInvitationOf(manager, principal, invitationId);
      await this.bounds.ensureRoomForOrganization(manager, principal.subject);
      const added = await this.organizations.addMember(manager, {
        organizationId: invitation.organizationId,
        accountId: principal.subject,
        role: invitation.role,
        grantedBy: invitation.invitedBy,
      });
      await this.invitations.decide(manager, invitationId, 'accepted');
      const member = toMemberDto(added);
      await this.outbox.append(manager, [
        createEvent(
          RoleGrantedV1,
          {
            accountId: principal.subject,
            organizationId: invitation.organizationId,
            organizationKind: kind,
            role: invitation.role,
            grantedBy: invitation.invitedBy,
            grantedAt: member.grantedAt,
          },
          SOURCE,
        ),
      ]);
      return member;
    });
  }

  /** The caller's pending invitation, locked; anyone else's is not found. */
  private async pendingInvitationOf(
    manager: EntityManager,
    principal: Principal,
    invitationId: string,
  ): Promise<Invitation> {
    const invitation = await this.invitations.lockPendingOfAccount(manager, invitationId, principal.subject);
    if (!invitation) throw invitationNotFound();
    return invitation;
  }
}

function toInvitationDto(invitation: Invitation): InvitationDto {
  return {
    id: invitation.id,
    organizationId: invitation.organizationId,
    organizationName: invitation.organizationName,
    organizationKind: invitation.organizationKind,
    accountId: invitation.accountId,
    role: invitation.role,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt.toISOString(),
    state: invitation.state,
    decidedAt: invitation.decidedAt?.toISOString() ?? null,
  };
}

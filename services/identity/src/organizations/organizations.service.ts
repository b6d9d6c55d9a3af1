import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import {
  createEvent,
  OrganizationCreatedV1,
  RoleGrantedV1,
  RoleRevokedV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { decodeCursor, type Page, pageOf, type PageQuery } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation } from '@onecommons/persistence';
import { IdentityBounds } from '../bounds/identity-bounds.js';
import { MembershipDirectory } from '../directory/membership-directory.js';
import { IdentityError } from '../identity-errors.js';
import { ensureAnotherOwner, lockOrganization, organizationNotFound, toMemberDto } from './memberships.js';
import { type Organization, OrganizationsRepository } from './organizations.repository.js';
import {
  type CreateOrganizationDto,
  type MemberDto,
  type OrganizationDto,
  type SetMemberDto,
} from './dto.js';

const SOURCE = { source: '/onecommons/identity' };

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsRepository,
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
        const created = await this.organizations.create(manager, {
          id,
          name: input.name,
          kind: input.kind,
          createdBy: principal.subject,
        });
        const grantedAt = await this.organizations.addFounder(manager, id, principal.subject);
        const organization = toOrganizationDto(created);
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
              grantedAt: grantedAt.toISOString(),
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
    const rows = await this.organizations.list(principal.subject, everything, after, page.limit + 1);
    return pageOf(rows, page.limit, toOrganizationDto);
  }

  async get(principal: Principal, organizationId: string): Promise<OrganizationDto> {
    const organization = await this.organizations.find(principal.subject, organizationId);
    if (!organization) throw organizationNotFound();
    return toOrganizationDto(organization);
  }

  async members(organizationId: string, page: PageQuery): Promise<Page<MemberDto>> {
    if (!(await this.organizations.exists(organizationId))) throw organizationNotFound();
    const after = decodeCursor(page.cursor);
    const rows = await this.organizations.members(organizationId, after, page.limit + 1);
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
      const kind = await lockOrganization(this.organizations, manager, organizationId);
      const current = await this.organizations.roleOf(manager, organizationId, accountId);
      if (!current)
        throw IdentityError.notFound(
          'member_not_found',
          'The account is not a member: invite it (POST …/invitations); it joins when it accepts.',
          'accountId',
        );
      if (current === input.role)
        return toMemberDto(await this.organizations.member(manager, organizationId, accountId));
      if (current === 'owner')
        await ensureAnotherOwner(this.organizations, manager, organizationId, accountId);
      const member = toMemberDto(
        await this.organizations.setRole(manager, organizationId, accountId, input.role, principal.subject),
      );
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
    await this.dataSource.transaction((manager) =>
      this.removeMemberIn(manager, principal.subject, organizationId, accountId),
    );
  }

  /** Removes a member in the caller's transaction and announces it; the last owner stays. */
  async removeMemberIn(
    manager: EntityManager,
    revokedBy: string,
    organizationId: string,
    accountId: string,
  ): Promise<void> {
    await lockOrganization(this.organizations, manager, organizationId);
    const current = await this.organizations.roleOf(manager, organizationId, accountId);
    if (!current)
      throw IdentityError.notFound('member_not_found', 'The account is not a member of this organization.');
    if (current === 'owner') await ensureAnotherOwner(this.organizations, manager, organizationId, accountId);
    await this.organizations.removeMember(manager, organizationId, accountId);
    await this.outbox.append(manager, [
      createEvent(
        RoleRevokedV1,
        { accountId, organizationId, role: current, revokedBy, revokedAt: new Date().toISOString() },
        SOURCE,
      ),
    ]);
  }
}

function toOrganizationDto(organization: Organization): OrganizationDto {
  return {
    id: organization.id,
    name: organization.name,
    kind: organization.kind,
    createdBy: organization.createdBy,
    createdAt: organization.createdAt.toISOString(),
    role: organization.role,
  };
}

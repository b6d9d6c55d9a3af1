import { type OrganizationKind } from '@onecommons/auth';
import { type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { type MemberDto } from './dto.js';
import { type Member, type OrganizationsRepository } from './organizations.repository.js';

export const organizationNotFound = () =>
  IdentityError.notFound('organization_not_found', 'No such organization.');

/** Serialises membership changes of one organization, so two owners cannot demote each other at once. */
export async function lockOrganization(
  organizations: OrganizationsRepository,
  manager: EntityManager,
  organizationId: string,
): Promise<OrganizationKind> {
  const kind = await organizations.lock(manager, organizationId);
  if (kind === null) throw organizationNotFound();
  return kind;
}

export async function ensureAnotherOwner(
  organizations: OrganizationsRepository,
  manager: EntityManager,
  organizationId: string,
  accountId: string,
): Promise<void> {
  if ((await organizations.ownersBesides(manager, organizationId, accountId)) === 0)
    throw IdentityError.conflict('last_owner', 'An organization must keep at least one owner.', 'accountId');
}

export function toMemberDto(member: Member): MemberDto {
  return {
    accountId: member.accountId,
    role: member.role,
    grantedBy: member.grantedBy,
    grantedAt: member.grantedAt.toISOString(),
  };
}

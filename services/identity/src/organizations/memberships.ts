import { type OrganizationKind, type OrganizationRole } from '@onecommons/auth';
import { type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { type MemberDto } from './dto.js';

export interface MemberRow {
  account_id: string;
  role: OrganizationRole;
  granted_by: string | null;
  granted_at: Date;
}

export const organizationNotFound = () =>
  IdentityError.notFound('organization_not_found', 'No such organization.');

/** Serialises membership changes of one organization, so two owners cannot demote each other at once. */
export async function lockOrganization(
  manager: EntityManager,
  organizationId: string,
): Promise<OrganizationKind> {
  const [row] = (await manager.query('SELECT kind FROM organizations WHERE id = $1 FOR UPDATE', [
    organizationId,
  ])) as { kind: OrganizationKind }[];
  if (!row) throw organizationNotFound();
  return row.kind;
}

export async function currentRole(
  manager: EntityManager,
  organizationId: string,
  accountId: string,
): Promise<OrganizationRole | null> {
  const [row] = (await manager.query(
    'SELECT role FROM memberships WHERE organization_id = $1 AND account_id = $2',
    [organizationId, accountId],
  )) as { role: OrganizationRole }[];
  return row?.role ?? null;
}

export async function memberRow(
  manager: EntityManager,
  organizationId: string,
  accountId: string,
): Promise<MemberRow> {
  const [row] = (await manager.query(
    'SELECT account_id, role, granted_by, granted_at FROM memberships WHERE organization_id = $1 AND account_id = $2',
    [organizationId, accountId],
  )) as MemberRow[];
  return row as MemberRow;
}

export async function ensureAnotherOwner(
  manager: EntityManager,
  organizationId: string,
  accountId: string,
): Promise<void> {
  const [row] = (await manager.query(
    `SELECT count(*)::int AS owners FROM memberships
      WHERE organization_id = $1 AND role = 'owner' AND account_id <> $2`,
    [organizationId, accountId],
  )) as { owners: number }[];
  if (!row || row.owners === 0)
    throw IdentityError.conflict('last_owner', 'An organization must keep at least one owner.', 'accountId');
}

export function toMemberDto(row: MemberRow): MemberDto {
  return {
    accountId: row.account_id,
    role: row.role,
    grantedBy: row.granted_by,
    grantedAt: row.granted_at.toISOString(),
  };
}

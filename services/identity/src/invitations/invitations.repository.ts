import { Injectable } from '@nestjs/common';
import { ORGANIZATION_KINDS, ORGANIZATION_ROLES } from '@onecommons/auth';
import { DataSource, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryOne, queryRows } from '@onecommons/persistence';
import { INVITATION_STATES, type InvitationDto, type InvitationState } from './dto.js';

/** An invitation with its organization's name and kind: what the API shows, its times as dates. */
export interface Invitation extends Omit<InvitationDto, 'createdAt' | 'decidedAt'> {
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
}

export type NewInvitation = Pick<Invitation, 'id' | 'organizationId' | 'accountId' | 'role' | 'invitedBy'>;

const SELECT_INVITATIONS = `SELECT i.id, i.organization_id, o.name AS organization_name, o.kind AS organization_kind,
    i.account_id, i.role, i.invited_by, i.created_at, i.state, i.decided_at
  FROM invitations i JOIN organizations o ON o.id = i.organization_id`;

const invitationRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    organization_name: z.string(),
    organization_kind: z.enum(ORGANIZATION_KINDS),
    account_id: z.string(),
    role: z.enum(ORGANIZATION_ROLES),
    invited_by: z.string(),
    created_at: z.date(),
    state: z.enum(INVITATION_STATES),
    decided_at: z.date().nullable(),
  })
  .transform((row): Invitation => ({
    id: row.id,
    organizationId: row.organization_id,
    organizationName: row.organization_name,
    organizationKind: row.organization_kind,
    accountId: row.account_id,
    role: row.role,
    invitedBy: row.invited_by,
    createdAt: row.created_at,
    state: row.state,
    decidedAt: row.decided_at,
  }));

/** The invitations to organizations, read with their organization's name and kind. */
@Injectable()
export class InvitationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** An invitation known to exist (one just made). */
  async byId(manager: EntityManager, invitationId: string): Promise<Invitation> {
    return queryOne(
      manager,
      { name: 'invitations.byId', row: invitationRow, sql: `${SELECT_INVITATIONS} WHERE i.id = $1` },
      [invitationId],
    );
  }

  /** The account's pending invitation to the organization, if any (there is at most one). */
  pendingFor(manager: EntityManager, organizationId: string, accountId: string): Promise<Invitation | null> {
    return this.first(
      manager,
      'pendingFor',
      `i.organization_id = $1 AND i.account_id = $2 AND i.state = 'pending'`,
      [organizationId, accountId],
    );
  }

  /** The account's invitation in any state; null when there is none or it is someone else's. */
  ofAccount(manager: EntityManager, invitationId: string, accountId: string): Promise<Invitation | null> {
    return this.first(manager, 'ofAccount', 'i.id = $1 AND i.account_id = $2', [invitationId, accountId]);
  }

  /** The account's pending invitation, locked until the transaction ends; null when there is none. */
  lockPendingOfAccount(
    manager: EntityManager,
    invitationId: string,
    accountId: string,
  ): Promise<Invitation | null> {
    return this.first(
      manager,
      'lockPendingOfAccount',
      `i.id = $1 AND i.account_id = $2 AND i.state = 'pending' FOR UPDATE OF i`,
      [invitationId, accountId],
    );
  }

  /** The organization's pending invitation, locked until the transaction ends; null when there is none. */
  lockPendingOfOrganization(
    manager: EntityManager,
    invitationId: string,
    organizationId: string,
  ): Promise<Invitation | null> {
    return this.first(
      manager,
      'lockPendingOfOrganization',
      `i.id = $1 AND i.organization_id = $2 AND i.state = 'pending' FOR UPDATE OF i`,
      [invitationId, organizationId],
    );
  }

  /** At most `limit` of the organization's pending invitations in id order after `afterId`. */
  async pendingOfOrganization(
    organizationId: string,
    afterId: string | null,
    limit: number,
  ): Promise<Invitation[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'invitations.pendingOfOrganization',
        row: invitationRow,
        sql: `${SELECT_INVITATIONS} WHERE i.organization_id = $1 AND i.state = 'pending' AND ($2::uuid IS NULL OR i.id > $2) ORDER BY i.id LIMIT $3`,
      },
      [organizationId, afterId, limit],
    );
  }

  /** At most `limit` of the account's pending invitations in id order after `afterId`. */
  async pendingOfAccount(accountId: string, afterId: string | null, limit: number): Promise<Invitation[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'invitations.pendingOfAccount',
        row: invitationRow,
        sql: `${SELECT_INVITATIONS} WHERE i.account_id = $1 AND i.state = 'pending' AND ($2::uuid IS NULL OR i.id > $2) ORDER BY i.id LIMIT $3`,
      },
      [accountId, afterId, limit],
    );
  }

  async insert(manager: EntityManager, invitation: NewInvitation): Promise<void> {
    await manager.query(
      `INSERT INTO invitations (id, organization_id, account_id, role, invited_by) VALUES ($1, $2, $3, $4, $5)`,
      [invitation.id, invitation.organizationId, invitation.accountId, invitation.role, invitation.invitedBy],
    );
  }

  /** Ends a pending invitation (accepted, declined or cancelled) now. */
  /** Cancels every invitation still pending for the account (it is being deleted). */
  async cancelPendingOf(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query(
      `UPDATE invitations SET state = 'cancelled', decided_at = now() WHERE account_id = $1 AND state = 'pending'`,
      [accountId],
    );
  }

  async decide(manager: EntityManager, invitationId: string, state: InvitationState): Promise<void> {
    await manager.query(`UPDATE invitations SET state = $2, decided_at = now() WHERE id = $1`, [
      invitationId,
      state,
    ]);
  }

  /** The invitation `where` (SQL after WHERE) selects, if any; `query` names it in errors. */
  private async first(
    manager: EntityManager,
    query: string,
    where: string,
    params: readonly unknown[],
  ): Promise<Invitation | null> {
    const [invitation] = await queryRows(
      manager,
      { name: `invitations.${query}`, row: invitationRow, sql: `${SELECT_INVITATIONS} WHERE ${where}` },
      params,
    );
    return invitation ?? null;
  }
}

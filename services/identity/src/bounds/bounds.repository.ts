import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryOne } from '@onecommons/persistence';

const heldRow = z.object({ held: z.number().int() });

/** What the bounds count (memberships, pending invitations, live API keys) and the rows they lock to count. */
@Injectable()
export class BoundsRepository {
  /** Locks the account's row until the transaction ends. */
  async lockAccount(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
  }

  /** Locks the organization's row until the transaction ends. */
  async lockOrganization(manager: EntityManager, organizationId: string): Promise<void> {
    await manager.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
  }

  async organizationsOfAccount(manager: EntityManager, accountId: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'bounds.organizationsOfAccount',
        row: heldRow,
        sql: 'SELECT count(*)::int AS held FROM memberships WHERE account_id = $1',
      },
      [accountId],
    );
    return row.held;
  }

  async pendingInvitationsOf(manager: EntityManager, organizationId: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'bounds.pendingInvitationsOf',
        row: heldRow,
        sql: `SELECT count(*)::int AS held FROM invitations WHERE organization_id = $1 AND state = 'pending'`,
      },
      [organizationId],
    );
    return row.held;
  }

  async liveApiKeysOf(manager: EntityManager, organizationId: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'bounds.liveApiKeysOf',
        row: heldRow,
        sql: `SELECT count(*)::int AS held FROM api_keys
        WHERE organization_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      },
      [organizationId],
    );
    return row.held;
  }
}

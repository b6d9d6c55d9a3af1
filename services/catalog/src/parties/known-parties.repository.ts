import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export interface KnownOrganization {
  readonly organizationId: string;
  readonly kind: string;
  readonly name: string;
}

const accountIdRow = z.object({ account_id: z.string() });

/** Catalog's copy of the accounts and organizations identity announced: known_accounts, known_organizations. */
@Injectable()
export class KnownPartiesRepository {
  /** Does nothing when the account is known already (a redelivered event). */
  async addAccount(manager: EntityManager, accountId: string, registeredAt: string): Promise<void> {
    await manager.query(
      `INSERT INTO known_accounts (account_id, registered_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [accountId, registeredAt],
    );
  }

  /** Does nothing when the organization is known already (a redelivered event). */
  async addOrganization(manager: EntityManager, organization: KnownOrganization): Promise<void> {
    await manager.query(
      `INSERT INTO known_organizations (organization_id, kind, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [organization.organizationId, organization.kind, organization.name],
    );
  }

  /** Which of the accounts are known. */
  async knownAccounts(manager: EntityManager, accountIds: readonly string[]): Promise<Set<string>> {
    const rows = await queryRows(
      manager,
      {
        name: 'knownParties.knownAccounts',
        row: accountIdRow,
        sql: 'SELECT account_id FROM known_accounts WHERE account_id = ANY($1::uuid[])',
      },
      [accountIds],
    );
    return new Set(rows.map((row) => row.account_id));
  }
}

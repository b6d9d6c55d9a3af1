import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

const holderRow = z.object({ holder: z.string() });

/** payee_preferences: each payee's latest auto-redeem choice, from payouts' events. */
@Injectable()
export class PayeePreferencesRepository {
  /** Keeps the newest choice, whatever order a replay delivers them in. */
  async record(manager: EntityManager, payee: string, autoRedeem: boolean, changedAt: string): Promise<void> {
    await manager.query(
      `INSERT INTO payee_preferences (holder, auto_redeem, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (holder) DO UPDATE SET auto_redeem = EXCLUDED.auto_redeem, changed_at = EXCLUDED.changed_at
        WHERE payee_preferences.changed_at < EXCLUDED.changed_at`,
      [payee, autoRedeem, changedAt],
    );
  }

  async optedOut(manager: EntityManager): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'payeePreferences.optedOut',
        row: holderRow,
        sql: 'SELECT holder FROM payee_preferences WHERE NOT auto_redeem',
      },
      [],
    );
    return rows.map((row) => row.holder);
  }

  /** In holder order. */
  async optedIn(manager: EntityManager): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'payeePreferences.optedIn',
        row: holderRow,
        sql: 'SELECT holder FROM payee_preferences WHERE auto_redeem ORDER BY holder',
      },
      [],
    );
    return rows.map((row) => row.holder);
  }
}

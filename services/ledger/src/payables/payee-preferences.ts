import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PayeePreferencesChangedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';

/** Payees' auto-redeem choices, from payouts: a close redeems the allocations of those who did not opt out. */
@Injectable()
export class PayeePreferences {
  @OnEvent(PayeePreferencesChangedV1)
  async onChanged(
    event: CloudEvent<DataOf<typeof PayeePreferencesChangedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    // The newest choice wins whatever order a replay delivers them in.
    await manager.query(
      `INSERT INTO payee_preferences (holder, auto_redeem, changed_at) VALUES ($1, $2, $3)
       ON CONFLICT (holder) DO UPDATE SET auto_redeem = EXCLUDED.auto_redeem, changed_at = EXCLUDED.changed_at
        WHERE payee_preferences.changed_at < EXCLUDED.changed_at`,
      [event.data.payee, event.data.autoRedeem, event.data.changedAt],
    );
  }

  /** Holders who opted out of auto-redeem: their tokens stay tokens. */
  async optedOut(manager: EntityManager): Promise<Set<string>> {
    const rows = (await manager.query('SELECT holder FROM payee_preferences WHERE NOT auto_redeem')) as {
      holder: string;
    }[];
    return new Set(rows.map((row) => row.holder));
  }

  /** Holders who opted back in: tokens they held from earlier periods are redeemed at the next close. */
  async optedIn(manager: EntityManager): Promise<string[]> {
    const rows = (await manager.query(
      'SELECT holder FROM payee_preferences WHERE auto_redeem ORDER BY holder',
    )) as { holder: string }[];
    return rows.map((row) => row.holder);
  }
}

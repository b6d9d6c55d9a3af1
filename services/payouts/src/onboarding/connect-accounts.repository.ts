import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type PayoutAccount, payoutAccountRow } from '../payees/payees.repository.js';

export type WebhookOutcome = 'applied' | 'ignored';

const eventIdRow = z.object({ event_id: z.string() });

/** Payout accounts by their Stripe account, and the Connect webhook's events applied (each once). */
@Injectable()
export class ConnectAccountsRepository {
  /** The active payout accounts on the Stripe account, locked until the transaction ends (oldest first). */
  async lockActiveByStripeAccount(manager: EntityManager, stripeAccountId: string): Promise<PayoutAccount[]> {
    return queryRows(
      manager,
      {
        name: 'connectAccounts.lockActiveByStripeAccount',
        row: payoutAccountRow,
        sql: `SELECT * FROM payout_accounts WHERE stripe_account_id = $1 AND active ORDER BY created_at, id FOR UPDATE`,
      },
      [stripeAccountId],
    );
  }

  /** Records the event as pending; false when it is recorded already (a redelivery). */
  async claimEvent(
    manager: EntityManager,
    event: { readonly id: string; readonly type: string; readonly account: string | null },
  ): Promise<boolean> {
    const claimed = await queryRows(
      manager,
      {
        name: 'connectAccounts.claimEvent',
        row: eventIdRow,
        sql: `INSERT INTO stripe_webhook_events (event_id, event_type, account, outcome) VALUES ($1, $2, $3, 'pending')
              ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
      },
      [event.id, event.type, event.account],
    );
    return claimed.length > 0;
  }

  async recordOutcome(manager: EntityManager, eventId: string, outcome: WebhookOutcome): Promise<void> {
    await manager.query(`UPDATE stripe_webhook_events SET outcome = $2 WHERE event_id = $1`, [
      eventId,
      outcome,
    ]);
  }
}

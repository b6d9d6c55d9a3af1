import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { queryRows } from '@onecommons/persistence';

const eventIdRow = z.object({ event_id: z.string() });

/** The payment provider's events applied (or being applied), each once: the webhook's idempotency. */
@Injectable()
export class PaymentProviderEventsRepository {
  /** Records the event as pending; false when it is recorded already (a redelivery). */
  async claim(manager: EntityManager, eventId: string, eventType: string): Promise<boolean> {
    const claimed = await queryRows(
      manager,
      {
        name: 'paymentProviderEvents.claim',
        row: eventIdRow,
        sql: `INSERT INTO payment_provider_events (provider, event_id, event_type, outcome)
         VALUES ('stripe', $1, $2, 'pending') ON CONFLICT DO NOTHING RETURNING event_id`,
      },
      [eventId, eventType],
    );
    return claimed.length > 0;
  }

  async recordOutcome(
    manager: EntityManager,
    eventId: string,
    eventType: string,
    outcome: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE payment_provider_events SET outcome = $3 WHERE provider = 'stripe' AND event_id = $1 AND event_type = $2`,
      [eventId, eventType, outcome],
    );
  }
}

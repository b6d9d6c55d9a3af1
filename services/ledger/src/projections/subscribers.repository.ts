import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The subscribers table: who the subscribers are, as identity registered them. */
@Injectable()
export class SubscribersRepository {
  /** Keeps the first registration of a subscriber. */
  async register(manager: EntityManager, subscriberId: string, registeredAt: string): Promise<void> {
    await manager.query(
      `INSERT INTO subscribers (subscriber_id, registered_at) VALUES ($1, $2)
       ON CONFLICT (subscriber_id) DO NOTHING`,
      [subscriberId, registeredAt],
    );
  }
}

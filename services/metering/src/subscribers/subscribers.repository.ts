import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';

/** The plans metering tells apart: only the free plan has quotas. */
export type SubscriberPlan = 'free' | 'premium';

/** The subscribers feature's table: who the subscribers are and the plan each is on. */
@Injectable()
export class SubscribersRepository {
  /** A new subscriber is on the free plan; a known one is left as it is. */
  async register(manager: EntityManager, subscriberId: string, registeredAt: string): Promise<void> {
    await manager.query(
      `INSERT INTO subscribers (subscriber_id, plan, registered_at) VALUES ($1, 'free', $2)
       ON CONFLICT (subscriber_id) DO NOTHING`,
      [subscriberId, registeredAt],
    );
  }

  /** Upserts: a subscription event names a registered subscriber, and the projection stays whole even so. */
  async setPlan(
    manager: EntityManager,
    subscriberId: string,
    plan: SubscriberPlan,
    at: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO subscribers (subscriber_id, plan, registered_at) VALUES ($1, $2, $3)
       ON CONFLICT (subscriber_id) DO UPDATE SET plan = EXCLUDED.plan`,
      [subscriberId, plan, at],
    );
  }
}

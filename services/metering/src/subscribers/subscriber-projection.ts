import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  SubscriberRegisteredV2,
  SubscriptionEndedV1,
  SubscriptionRenewedV1,
  SubscriptionStartedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/**
 * Metering's own copy of who the subscribers are (it never reads identity's tables): every registered
 * subscriber starts on the free plan, whose quotas metering enforces.
 */
@Injectable()
export class SubscriberProjection {
  @OnEvent(SubscriberRegisteredV2)
  async onRegistered(
    event: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO subscribers (subscriber_id, plan, registered_at) VALUES ($1, 'free', $2)
       ON CONFLICT (subscriber_id) DO NOTHING`,
      [event.data.subscriberId, event.data.registeredAt],
    );
  }

  /** Premium from the first paid period on; each renewal confirms it. */
  @OnEvent(SubscriptionStartedV1)
  async onSubscriptionStarted(
    event: CloudEvent<DataOf<typeof SubscriptionStartedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.setPlan(context, event.data.subscriber, 'premium', event.data.startedAt);
  }

  @OnEvent(SubscriptionRenewedV1)
  async onSubscriptionRenewed(
    event: CloudEvent<DataOf<typeof SubscriptionRenewedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.setPlan(context, event.data.subscriber, 'premium', event.data.renewedAt);
  }

  @OnEvent(SubscriptionEndedV1)
  async onSubscriptionEnded(
    event: CloudEvent<DataOf<typeof SubscriptionEndedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.setPlan(context, event.data.subscriber, 'free', event.data.endedAt);
  }

  private async setPlan(
    context: EventContext,
    subscriberId: string,
    plan: string,
    at: string,
  ): Promise<void> {
    // A subscription event names a registered subscriber; the upsert keeps the projection whole even so.
    await context.manager.query(
      `INSERT INTO subscribers (subscriber_id, plan, registered_at) VALUES ($1, $2, $3)
       ON CONFLICT (subscriber_id) DO UPDATE SET plan = EXCLUDED.plan`,
      [subscriberId, plan, at],
    );
  }
}

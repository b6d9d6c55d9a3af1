import { Injectable } from '@nestjs/common';
import { type CloudEvent, SubscriberRegisteredV2, type DataOf } from '@onecommons/contracts';
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
}

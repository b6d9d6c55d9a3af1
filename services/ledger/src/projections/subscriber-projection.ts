import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, SubscriberRegisteredV2 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/** Who the subscribers are (identity's registrations): statements and period close name them. */
@Injectable()
export class SubscriberProjection {
  @OnEvent(SubscriberRegisteredV2)
  async onSubscriberRegistered(
    event: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    { manager }: EventContext,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO subscribers (subscriber_id, registered_at) VALUES ($1, $2)
       ON CONFLICT (subscriber_id) DO NOTHING`,
      [event.data.subscriberId, event.data.registeredAt],
    );
  }
}

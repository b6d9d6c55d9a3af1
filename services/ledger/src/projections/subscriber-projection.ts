import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, SubscriberRegisteredV2 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { SubscribersRepository } from './subscribers.repository.js';

/** Who the subscribers are (identity's registrations): statements and period close name them. */
@Injectable()
export class SubscriberProjection {
  constructor(private readonly subscribers: SubscribersRepository) {}

  @OnEvent(SubscriberRegisteredV2)
  async onSubscriberRegistered(
    event: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.subscribers.register(manager, event.data.subscriberId, event.data.registeredAt);
  }
}

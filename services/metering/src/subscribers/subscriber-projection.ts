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
import { SubscribersRepository } from './subscribers.repository.js';

/**
 * Metering's own copy of who the subscribers are (it never reads identity's tables): every registered
 * subscriber starts on the free plan, whose quotas metering enforces.
 */
@Injectable()
export class SubscriberProjection {
  constructor(private readonly subscribers: SubscribersRepository) {}

  @OnEvent(SubscriberRegisteredV2)
  async onRegistered(
    { data }: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.subscribers.register(manager, data.subscriberId, data.registeredAt);
  }

  /** Premium from the first paid period on; each renewal confirms it. */
  @OnEvent(SubscriptionStartedV1)
  async onSubscriptionStarted(
    { data }: CloudEvent<DataOf<typeof SubscriptionStartedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.subscribers.setPlan(manager, data.subscriber, 'premium', data.startedAt);
  }

  @OnEvent(SubscriptionRenewedV1)
  async onSubscriptionRenewed(
    { data }: CloudEvent<DataOf<typeof SubscriptionRenewedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.subscribers.setPlan(manager, data.subscriber, 'premium', data.renewedAt);
  }

  @OnEvent(SubscriptionEndedV1)
  async onSubscriptionEnded(
    { data }: CloudEvent<DataOf<typeof SubscriptionEndedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.subscribers.setPlan(manager, data.subscriber, 'free', data.endedAt);
  }
}

import { Module } from '@nestjs/common';
import { SubscriberProjection } from './subscriber-projection.js';
import { SubscribersRepository } from './subscribers.repository.js';

@Module({ providers: [SubscriberProjection, SubscribersRepository] })
export class SubscribersModule {}

import { Module } from '@nestjs/common';
import { SubscriberProjection } from './subscriber-projection.js';

@Module({ providers: [SubscriberProjection] })
export class SubscribersModule {}

import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { AfterCommit } from '@onecommons/service-kit';
import { DeliveriesController } from './delivery/deliveries.controller.js';
import { DeliveriesRepository } from './delivery/deliveries.repository.js';
import { DeliveriesService } from './delivery/deliveries.service.js';
import { DeliveryAttempter } from './delivery/delivery-attempter.js';
import { DeliveryBacklogMetrics } from './delivery/delivery-backlog-metrics.js';
import { DeliveryFanout } from './delivery/delivery-fanout.js';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery/delivery-queue.js';
import { DeliverySweeper } from './delivery/delivery-sweeper.js';
import { DeliveryWorker } from './delivery/delivery-worker.js';
import { EndpointsController } from './endpoints/endpoints.controller.js';
import { EndpointsRepository } from './endpoints/endpoints.repository.js';
import { EndpointsService } from './endpoints/endpoints.service.js';
import { SecretSealer } from './endpoints/signing-secrets.js';
import { DeliverableTypes } from './event-types/deliverable-types.js';
import { EventTypesController } from './event-types/event-types.controller.js';
import { TargetGuard } from './targets/target-guard.js';

@Module({
  imports: [BullModule.registerQueue({ name: DELIVERY_QUEUE })],
  controllers: [EventTypesController, EndpointsController, DeliveriesController],
  providers: [
    DeliverableTypes,
    TargetGuard,
    SecretSealer,
    EndpointsRepository,
    EndpointsService,
    AfterCommit,
    DeliveriesRepository,
    DeliveryQueue,
    DeliveryFanout,
    DeliveryAttempter,
    DeliveryWorker,
    DeliverySweeper,
    DeliveryBacklogMetrics,
    DeliveriesService,
  ],
})
export class WebhooksModule {}

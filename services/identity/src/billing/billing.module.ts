import { Module } from '@nestjs/common';
import { PaymentsController, PlansController, SubscriptionsController } from './billing.controller.js';
import { PaymentsService } from './payments.service.js';
import { PlanCatalog } from './plan-catalog.js';
import { StripeEventProcessor } from './stripe-event-processor.js';
import { StripeGateway } from './stripe-gateway.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Plans, subscriptions and their payments through Stripe. */
@Module({
  controllers: [PlansController, SubscriptionsController, PaymentsController],
  providers: [PlanCatalog, StripeGateway, SubscriptionsService, PaymentsService, StripeEventProcessor],
})
export class BillingModule {}

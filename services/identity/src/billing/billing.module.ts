import { Module } from '@nestjs/common';
import {
  AdminPaymentsController,
  PaymentsController,
  PlansController,
  SubscriptionsController,
} from './billing.controller.js';
import { PaymentProviderEventsRepository } from './payment-provider-events.repository.js';
import { PaymentReversals } from './payment-reversals.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import { PlanCatalog } from './plan-catalog.js';
import { RefundRequests } from './refund-requests.js';
import { StripeEventProcessor } from './stripe-event-processor.js';
import { StripeGateway } from './stripe-gateway.js';
import { SubscriptionsService } from './subscriptions.service.js';

/** Plans, subscriptions and their payments through Stripe. */
@Module({
  controllers: [PlansController, SubscriptionsController, PaymentsController, AdminPaymentsController],
  providers: [
    PlanCatalog,
    StripeGateway,
    SubscriptionsService,
    PaymentsRepository,
    PaymentsService,
    PaymentReversals,
    PaymentProviderEventsRepository,
    StripeEventProcessor,
    RefundRequests,
  ],
})
export class BillingModule {}

import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  type RawBodyRequest,
  Req,
} from '@nestjs/common';
import {
  Authenticated,
  CurrentPrincipal,
  type Principal,
  Public,
  RequirePlatformRole,
} from '@onecommons/auth';
import { ApiErrors, UuidParamPipe } from '@onecommons/service-kit';
import { type Request } from 'express';
import { IdentityError } from '../identity-errors.js';
import { type PaymentDto, PaymentsService } from './payments.service.js';
import {
  type PlanDto,
  type RefundRequestDto,
  type RefundRequestedDto,
  refundRequestSchema,
  type SubscribeDto,
  subscribeSchema,
  type SubscriptionDto,
} from './dto.js';
import { PlanCatalog } from './plan-catalog.js';
import { RefundRequests } from './refund-requests.js';
import { StripeEventProcessor, type WebhookOutcome } from './stripe-event-processor.js';
import { StripeGateway } from './stripe-gateway.js';
import { SubscriptionsService } from './subscriptions.service.js';

@Controller('v1/plans')
export class PlansController {
  constructor(private readonly plans: PlanCatalog) {}

  @Get()
  @Public()
  list(): { plans: PlanDto[] } {
    return { plans: this.plans.list() };
  }
}

/** A subscriber's own subscription: every route is scoped to the caller's account. */
@Controller('v1/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @HttpCode(201)
  @Authenticated()
  @ApiErrors(400, 401, 409)
  subscribe(
    @CurrentPrincipal() principal: Principal,
    @Body({ schema: subscribeSchema }) body: SubscribeDto,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.subscribe(principal.subject, body);
  }

  @Get('current')
  @Authenticated()
  @ApiErrors(401, 404)
  current(@CurrentPrincipal() principal: Principal): Promise<SubscriptionDto> {
    return this.subscriptions.current(principal.subject);
  }

  @Post('current/cancel')
  @HttpCode(200)
  @Authenticated()
  @ApiErrors(401, 404, 409)
  cancel(@CurrentPrincipal() principal: Principal): Promise<SubscriptionDto> {
    return this.subscriptions.cancelCurrent(principal.subject);
  }

  @Get(':subscriptionId')
  @Authenticated()
  @ApiErrors(401, 404)
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('subscriptionId', UuidParamPipe) subscriptionId: string,
  ): Promise<SubscriptionDto> {
    return this.subscriptions.own(principal.subject, subscriptionId);
  }
}

@Controller('v1/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly stripe: StripeGateway,
    private readonly processor: StripeEventProcessor,
  ) {}

  /** The caller's captured payments, newest period first, with their refunds and disputes. */
  @Get()
  @Authenticated()
  @ApiErrors(401)
  async list(@CurrentPrincipal() principal: Principal): Promise<{ payments: PaymentDto[] }> {
    return { payments: await this.payments.ofAccount(principal.subject) };
  }

  /** Stripe's webhook: authenticated by its signature over the raw body, not by a platform credential. */
  @Post('stripe/webhook')
  @HttpCode(200)
  @Public()
  @ApiErrors(400, 502, 503)
  async stripeWebhook(
    @Req() request: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; outcome: WebhookOutcome }> {
    const event = this.stripe.verifyWebhook(request.rawBody, signature);
    return { received: true, outcome: await this.processor.process(event) };
  }
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,200}$/;

/** Admins' actions on any subscriber's payments. */
@Controller('v1/admin/payments')
export class AdminPaymentsController {
  constructor(private readonly refunds: RefundRequests) {}

  /**
   * Refunds part or all of a payment through Stripe (202: Stripe accepted it; the books change when its
   * webhook reports the refund). The same `Idempotency-Key` gives the same refund.
   */
  @Post(':paymentId/refunds')
  @HttpCode(202)
  @RequirePlatformRole('admin')
  @ApiErrors(400, 401, 403, 404, 409, 502)
  refund(
    @CurrentPrincipal() principal: Principal,
    @Param('paymentId', UuidParamPipe) paymentId: string,
    @Body({ schema: refundRequestSchema }) body: RefundRequestDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<RefundRequestedDto> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw IdentityError.invalid(
        'validation_failed',
        'must be 1-200 letters, digits or _.:-',
        'idempotency-key',
      );
    }
    return this.refunds.request(principal.subject, paymentId, body, idempotencyKey);
  }
}

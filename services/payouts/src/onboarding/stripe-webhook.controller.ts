import { Controller, Headers, HttpCode, Post, type RawBodyRequest, Req } from '@nestjs/common';
import { Public } from '@onecommons/auth';
import { ApiErrors } from '@onecommons/service-kit';
import { type IncomingMessage } from 'node:http';
import { answeringRailErrors } from '../rails/rail-errors.js';
import { type ConnectWebhookOutcome, StripeConnectEvents } from './stripe-connect-events.js';

@Controller('v1/stripe')
export class StripeWebhookController {
  constructor(private readonly events: StripeConnectEvents) {}

  /**
   * Stripe's Connect webhook (STRIPE_CONNECT_WEBHOOK_SECRET): authenticated by its signature over the raw body,
   * not by a platform credential. `account.updated` marks payees' Stripe accounts verified or not; a redelivered
   * event changes nothing (`duplicate`), one about an account no payee is paid on is `ignored`. 503 while Stripe
   * cannot be asked about the account (Stripe retries).
   */
  @Post('connect-webhook')
  @HttpCode(200)
  @Public()
  @ApiErrors(400, 503)
  async connectWebhook(
    @Req() request: RawBodyRequest<IncomingMessage>,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<{ received: true; outcome: ConnectWebhookOutcome }> {
    const event = this.events.verify(request.rawBody, signature);
    return { received: true, outcome: await answeringRailErrors(() => this.events.process(event)) };
  }
}

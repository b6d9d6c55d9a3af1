import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { PayoutsError } from '../payouts-errors.js';
import { StripeConnectOnboarding } from '../rails/stripe-connect-onboarding.js';
import { ConnectAccountsRepository } from './connect-accounts.repository.js';
import { ConnectAccountSync } from './connect-account-sync.js';
import { countConnectWebhook } from './connect-webhook-metrics.js';

export type ConnectWebhookOutcome = 'applied' | 'ignored' | 'duplicate';

/**
 * Stripe's Connect webhook (events of connected accounts). `account.updated` re-reads the account and marks the
 * payout accounts on it verified or not (ConnectAccountSync); other types are acknowledged and ignored. Each event
 * is applied once: its id is recorded in the same transaction as the change, so a redelivery changes nothing; an
 * event for an account no payee is paid on is acknowledged and ignored.
 */
@Injectable()
export class StripeConnectEvents {
  private readonly logger = new Logger('StripeConnectEvents');

  constructor(
    private readonly dataSource: DataSource,
    private readonly onboarding: StripeConnectOnboarding,
    private readonly accounts: ConnectAccountsRepository,
    private readonly sync: ConnectAccountSync,
  ) {}

  /** The event of a signed webhook body; a 400 `invalid_signature` when the body is not Stripe's. */
  verify(rawBody: Buffer | undefined, signature: string | undefined): Stripe.Event {
    if (!rawBody || !signature) {
      countConnectWebhook('unsigned');
      throw PayoutsError.invalid('invalid_signature', 'the webhook is not signed', 'stripe-signature');
    }
    const event = this.onboarding.eventOf(rawBody, signature);
    if (!event) {
      countConnectWebhook('invalid_signature');
      throw PayoutsError.invalid(
        'invalid_signature',
        'the webhook signature does not verify',
        'stripe-signature',
      );
    }
    return event;
  }

  /** Applies the event; counted once its transaction committed, or failed. */
  async process(event: Stripe.Event): Promise<ConnectWebhookOutcome> {
    try {
      const outcome = await this.apply(event);
      countConnectWebhook(outcome);
      return outcome;
    } catch (error) {
      countConnectWebhook('failed');
      throw error;
    }
  }

  private async apply(event: Stripe.Event): Promise<ConnectWebhookOutcome> {
    if (event.type !== 'account.updated') return 'ignored';
    const stripeAccountId = event.account ?? event.data.object.id;
    return this.dataSource.transaction(async (manager) => {
      if (
        !(await this.accounts.claimEvent(manager, {
          id: event.id,
          type: event.type,
          account: stripeAccountId,
        }))
      )
        return 'duplicate';
      const updated = await this.sync.refresh(manager, stripeAccountId);
      const outcome = updated.length > 0 ? 'applied' : 'ignored';
      await this.accounts.recordOutcome(manager, event.id, outcome);
      for (const account of updated)
        this.logger.log(
          `payout account ${account.id} (${stripeAccountId}): ${account.status}${account.statusReason ? ` (${account.statusReason})` : ''}`,
        );
      return outcome;
    });
  }
}

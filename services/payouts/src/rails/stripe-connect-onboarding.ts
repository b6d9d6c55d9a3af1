import type Stripe from 'stripe';
import { checkConnectAccount } from './connect-account-check.js';
import { type AccountCheck } from './payout-rail.js';
import { RailRequestError, throwIfNotRefusal } from './stripe-transfer-rail.js';

export interface OnboardingLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/**
 * Stripe Connect onboarding through the official SDK: Express accounts for payees, account links into Stripe's
 * hosted onboarding, and the signed Connect webhook. Every account creation carries an idempotency key, so a
 * retried start never opens a second account.
 */
export class StripeConnectOnboarding {
  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
  ) {}

  /** An Express account that can receive transfers once its holder finished onboarding. */
  async openExpressAccount(
    payee: string,
    idempotencyKey: string,
  ): Promise<{ readonly accountId: string; readonly check: AccountCheck }> {
    try {
      const account = await this.stripe.accounts.create(
        {
          type: 'express',
          capabilities: { transfers: { requested: true } },
          metadata: { payee },
        },
        { idempotencyKey },
      );
      return { accountId: account.id, check: checkConnectAccount(account) };
    } catch (error) {
      throwIfNotRefusal(error);
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
  }

  /** A single-use link into Stripe-hosted onboarding; Stripe sends the browser to one of the two URLs after. */
  async onboardingLink(accountId: string, refreshUrl: string, returnUrl: string): Promise<OnboardingLink> {
    try {
      const link = await this.stripe.accountLinks.create({
        account: accountId,
        type: 'account_onboarding',
        refresh_url: refreshUrl,
        return_url: returnUrl,
      });
      return { url: link.url, expiresAt: new Date(link.expires_at * 1_000) };
    } catch (error) {
      throwIfNotRefusal(error);
      throw new RailRequestError(error.code ?? 'invalid_request', error.message);
    }
  }

  /** The event, when the `Stripe-Signature` over the raw body verifies with the Connect endpoint's secret; else null. */
  eventOf(rawBody: Buffer, signature: string): Stripe.Event | null {
    try {
      return this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret);
    } catch {
      return null;
    }
  }
}

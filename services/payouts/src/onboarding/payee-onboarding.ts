import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { type Payee } from '../payees/payee-key.js';
import { PayeesRepository, type PayoutAccount } from '../payees/payees.repository.js';
import { accountDto, type PayoutAccountDto } from '../payees/payout-account-dto.js';
import { displayOf, PayoutAccountSealer } from '../payees/payout-account-sealer.js';
import { PayoutsError } from '../payouts-errors.js';
import { answeringRailErrors } from '../rails/rail-errors.js';
import { StripeConnectOnboarding } from '../rails/stripe-connect-onboarding.js';
import { ConnectAccountSync } from './connect-account-sync.js';
import { type OnboardingSession, OnboardingSessions } from './onboarding-sessions.js';

export interface OnboardingLinkDto {
  /** Stripe's single-use onboarding page: send the payee's browser there at once. */
  readonly url: string;
  /** When Stripe stops accepting the link (minutes); the refresh page makes a new one. */
  readonly expiresAt: string;
  /** The payee's Stripe connected account. */
  readonly accountId: string;
  readonly payoutAccount: PayoutAccountDto;
}

/** Where the refresh page sends the browser: a new Stripe link, or the return page once nothing is left to do. */
export type RefreshOutcome =
  { readonly kind: 'link'; readonly url: string } | { readonly kind: 'done'; readonly returnUrl: string };

/**
 * A payee's Stripe Connect onboarding (docs/payout-rules.md, "Stripe onboarding"): payouts opens an Express
 * account for the payee and makes it the payee's payout account, unverified (so its balance is held, never lost),
 * and hands out Stripe's account link. Stripe's `account.updated` (StripeConnectEvents), or the payee coming back
 * to the return page, marks it verified once Stripe enables payouts; the next batch pays it.
 */
@Injectable()
export class PayeeOnboarding {
  constructor(
    private readonly dataSource: DataSource,
    private readonly payees: PayeesRepository,
    private readonly sealer: PayoutAccountSealer,
    private readonly stripe: StripeConnectOnboarding,
    private readonly sync: ConnectAccountSync,
    private readonly sessions: OnboardingSessions,
  ) {}

  /**
   * Starts (or continues) the payee's onboarding. The payee's active account is reused when payouts opened it
   * through onboarding; otherwise a new Express account replaces the active one. Stripe's account creation carries
   * a key numbered by the payee's accounts so far: a retry after a lost answer gets the same account back.
   */
  async start(payee: Payee): Promise<OnboardingLinkDto> {
    const account = await this.dataSource.transaction(async (manager) => {
      await this.payees.ensure(manager, payee.key);
      await this.payees.lock(manager, payee.key);
      const active = await this.payees.activeAccount(manager, payee.key);
      if (active?.onboarding && active.stripeAccountId) return active;
      return this.openAccount(manager, payee);
    });
    const stripeAccountId = account.stripeAccountId as string;
    const { token } = this.sessions.issue({
      payee: payee.key,
      payoutAccountId: account.id,
      stripeAccountId,
    });
    const link = await answeringRailErrors(() =>
      this.stripe.onboardingLink(
        stripeAccountId,
        this.sessions.pageUrl('refresh', token),
        this.sessions.pageUrl('return', token),
      ),
    );
    return {
      url: link.url,
      expiresAt: link.expiresAt.toISOString(),
      accountId: stripeAccountId,
      payoutAccount: accountDto(account),
    };
  }

  /** The refresh page: a new link into the same onboarding, or the return page when the account is verified. */
  async refresh(token: unknown): Promise<RefreshOutcome> {
    const { session, account } = await this.liveSession(token);
    const returnUrl = this.sessions.pageUrl('return', token as string);
    if (account.status === 'verified') return { kind: 'done', returnUrl };
    const link = await answeringRailErrors(() =>
      this.stripe.onboardingLink(
        session.stripeAccountId,
        this.sessions.pageUrl('refresh', token as string),
        returnUrl,
      ),
    );
    return { kind: 'link', url: link.url };
  }

  /**
   * The return page: Stripe sends the payee here when it left or finished onboarding (which does not mean it is
   * verified). The account is read from Stripe at once, so the payee sees where it stands without waiting for
   * the webhook. Also answers the URL of a new link, for a payee that still has details to give.
   */
  async returned(
    token: unknown,
  ): Promise<{ readonly account: PayoutAccountDto; readonly continueUrl: string }> {
    const { session } = await this.liveSession(token);
    await answeringRailErrors(() =>
      this.dataSource.transaction((manager) => this.sync.refresh(manager, session.stripeAccountId)),
    );
    const { account } = await this.liveSession(token);
    return { account: accountDto(account), continueUrl: this.sessions.pageUrl('refresh', token as string) };
  }

  private async openAccount(manager: EntityManager, payee: Payee): Promise<PayoutAccount> {
    const attempt = await this.payees.accountCount(manager, payee.key);
    const opened = await answeringRailErrors(() =>
      this.stripe.openExpressAccount(payee.key, `payee-onboarding:${payee.key}:${attempt}`),
    );
    const destination = { rail: 'stripe', accountId: opened.accountId } as const;
    const id = randomUUID();
    return this.payees.replaceActiveAccount(manager, {
      id,
      payee: payee.key,
      rail: 'stripe',
      detailsSealed: this.sealer.seal(id, destination),
      display: displayOf(destination),
      status: opened.check.verified ? 'verified' : 'unverified',
      statusReason: opened.check.reason,
      stripeAccountId: opened.accountId,
      onboarding: true,
      requirements: opened.check.requirements,
    });
  }

  /** The session of a token, while its account is still the payee's active payout account. */
  private async liveSession(
    token: unknown,
  ): Promise<{ readonly session: OnboardingSession; readonly account: PayoutAccount }> {
    const session = this.sessions.read(token);
    const account = await this.payees.activeAccount(this.dataSource.manager, session.payee);
    if (account?.id !== session.payoutAccountId)
      throw new PayoutsError(
        'gone',
        'onboarding_replaced',
        'the payee’s payout account changed since this onboarding started',
        { field: 'session' },
      );
    return { session, account };
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, seal, unseal } from '@onecommons/service-kit';
import { z } from 'zod';
import { type PayoutsConfig } from '../config.js';
import { PayoutsError } from '../payouts-errors.js';

/** One Stripe onboarding of a payee: the payout account it opened, until when its links may be used. */
export interface OnboardingSession {
  readonly payee: string;
  readonly payoutAccountId: string;
  readonly stripeAccountId: string;
  readonly expiresAt: Date;
}

/** Where Stripe sends the payee's browser: back for a new link (`refresh`), or when it left or finished (`return`). */
export const ONBOARDING_PAGES = { refresh: 'refresh', return: 'return' } as const;
export type OnboardingPage = (typeof ONBOARDING_PAGES)[keyof typeof ONBOARDING_PAGES];

/** The pages' path under the platform's origin (payouts' prefix, `/api/payouts/`). */
export const onboardingPagePath = (page: OnboardingPage) => `/api/payouts/onboarding/${page}`;

const ASSOCIATED_DATA = 'payout-onboarding-session';
/** A sealed value (`v1.<iv>.<tag>.<ciphertext>`, base64url parts) of a plausible size. */
const TOKEN = /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{40,600}$/;

const sessionContent = z.strictObject({
  payee: z.string(),
  payoutAccountId: z.string(),
  stripeAccountId: z.string(),
  expiresAt: z.number().int(),
});

/**
 * The token in an onboarding's return and refresh URLs. Stripe sends the payee's browser there without the
 * payee's credentials, so the URL itself must say whose onboarding it is and be unforgeable: the session is sealed
 * (AES-256-GCM, PAYOUTS_ACCOUNT_ENCRYPTION_KEY, bound to this purpose) and expires after
 * PAYOUTS_ONBOARDING_SESSION_MINUTES. It can only continue the onboarding of the account the payee's owner
 * started (never point the payee's money elsewhere), and dies with it once that account is replaced.
 */
@Injectable()
export class OnboardingSessions {
  private readonly key: Buffer;
  private readonly publicUrl: string;
  private readonly lifetimeMs: number;

  constructor(@Inject(SERVICE_CONFIG) config: PayoutsConfig) {
    this.key = Buffer.from(config.PAYOUTS_ACCOUNT_ENCRYPTION_KEY, 'base64');
    this.publicUrl = config.PUBLIC_URL.replace(/\/+$/, '');
    this.lifetimeMs = config.PAYOUTS_ONBOARDING_SESSION_MINUTES * 60_000;
  }

  /** A new session's token, valid from `now` for the configured lifetime. */
  issue(
    session: Omit<OnboardingSession, 'expiresAt'>,
    now = new Date(),
  ): { readonly token: string; readonly expiresAt: Date } {
    const expiresAt = new Date(now.getTime() + this.lifetimeMs);
    const content: z.input<typeof sessionContent> = { ...session, expiresAt: expiresAt.getTime() };
    return { token: seal(JSON.stringify(content), this.key, ASSOCIATED_DATA), expiresAt };
  }

  /** The session of a token from a URL; refused when it is not one of ours, or expired. */
  read(token: unknown, now = new Date()): OnboardingSession {
    const content = typeof token === 'string' && TOKEN.test(token) ? this.opened(token) : undefined;
    if (!content)
      throw PayoutsError.invalid('onboarding_link_invalid', 'this onboarding link is not valid', 'session');
    if (content.expiresAt <= now.getTime())
      throw new PayoutsError('gone', 'onboarding_link_expired', 'this onboarding link has expired', {
        field: 'session',
      });
    return { ...content, expiresAt: new Date(content.expiresAt) };
  }

  /** The URL of an onboarding page for a session's token, on the platform's public origin. */
  pageUrl(page: OnboardingPage, token: string): string {
    const url = new URL(`${this.publicUrl}${onboardingPagePath(page)}`);
    url.searchParams.set('session', token);
    return url.toString();
  }

  private opened(token: string): z.output<typeof sessionContent> | undefined {
    try {
      return sessionContent.parse(JSON.parse(unseal(token, this.key, ASSOCIATED_DATA)));
    } catch {
      return undefined;
    }
  }
}

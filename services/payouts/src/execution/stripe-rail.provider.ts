import { type Provider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type PayoutsConfig } from '../config.js';
import { StripeConnectOnboarding } from '../rails/stripe-connect-onboarding.js';
import { stripeClient, StripeTransferRail } from '../rails/stripe-transfer-rail.js';

const optionsOf = (config: PayoutsConfig) => ({
  secretKey: config.STRIPE_SECRET_KEY,
  apiBase: config.STRIPE_API_BASE,
});

/** The Stripe Connect rail, on the configured API base (the local fake in `./dev` and tests). */
export const stripeRailProvider: Provider = {
  provide: StripeTransferRail,
  inject: [SERVICE_CONFIG],
  useFactory: (config: PayoutsConfig) => new StripeTransferRail(optionsOf(config)),
};

/** Stripe Connect onboarding (Express accounts, account links, the Connect webhook), on the same API base. */
export const stripeOnboardingProvider: Provider = {
  provide: StripeConnectOnboarding,
  inject: [SERVICE_CONFIG],
  useFactory: (config: PayoutsConfig) =>
    new StripeConnectOnboarding(stripeClient(optionsOf(config)), config.STRIPE_CONNECT_WEBHOOK_SECRET),
};

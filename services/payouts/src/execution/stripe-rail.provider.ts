import { type Provider } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type PayoutsConfig } from '../config.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';

/** The Stripe Connect rail, on the configured API base (the local fake in `./dev` and tests). */
export const stripeRailProvider: Provider = {
  provide: StripeTransferRail,
  inject: [SERVICE_CONFIG],
  useFactory: (config: PayoutsConfig) =>
    new StripeTransferRail({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
};

import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { type PlanDto } from './dto.js';

export type PaidPlan = 'premium';

/**
 * Two plans: free (no subscription at all) and premium, a monthly fee per currency from PREMIUM_PRICES.
 * Prices are configuration, not data: a price change applies to new subscriptions.
 */
@Injectable()
export class PlanCatalog {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: IdentityConfig) {}

  list(): PlanDto[] {
    return [
      { id: 'free', name: 'Free', interval: null, prices: [] },
      {
        id: 'premium',
        name: 'Premium',
        interval: 'month',
        prices: [...this.config.PREMIUM_PRICES].map(([currency, amount]) => ({
          currency,
          amountMinor: amount.toString(),
        })),
      },
    ];
  }

  /** The monthly fee of a paid plan in a currency, or a 400 naming the field that is wrong. */
  priceOf(plan: string, currency: string): { plan: PaidPlan; amountMinor: bigint } {
    if (plan !== 'premium') {
      throw IdentityError.invalid(
        'plan_not_subscribable',
        'Only the premium plan is subscribed to; free needs no subscription.',
        'plan',
      );
    }
    const amountMinor = this.config.PREMIUM_PRICES.get(currency);
    if (amountMinor === undefined) {
      throw IdentityError.invalid(
        'currency_not_offered',
        `Premium is not offered in ${currency}.`,
        'currency',
      );
    }
    return { plan, amountMinor };
  }
}

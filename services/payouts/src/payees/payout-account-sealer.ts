import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, seal, unseal } from '@onecommons/service-kit';
import { type PayoutsConfig } from '../config.js';
import { type PayoutDestination } from '../rails/payout-rail.js';

/** Seals payout account details at rest, bound to the account's id (a sealed value cannot be moved to another row). */
@Injectable()
export class PayoutAccountSealer {
  private readonly key: Buffer;

  constructor(@Inject(SERVICE_CONFIG) config: PayoutsConfig) {
    this.key = Buffer.from(config.PAYOUTS_ACCOUNT_ENCRYPTION_KEY, 'base64');
  }

  seal(accountId: string, destination: PayoutDestination): string {
    return seal(JSON.stringify(destination), this.key, `payout-account:${accountId}`);
  }

  unseal(accountId: string, sealed: string): PayoutDestination {
    return JSON.parse(unseal(sealed, this.key, `payout-account:${accountId}`)) as PayoutDestination;
  }
}

/** What a payee sees of its account: never the whole IBAN. */
export function displayOf(destination: PayoutDestination): string {
  if (destination.rail === 'stripe') return `Stripe ${destination.accountId}`;
  return `${destination.holderName}, ${destination.iban.slice(0, 4)}…${destination.iban.slice(-4)}`;
}

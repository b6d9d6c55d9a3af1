import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { PayeesRepository, type PayoutAccount } from '../payees/payees.repository.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { ConnectAccountsRepository } from './connect-accounts.repository.js';

/**
 * Brings the payout accounts on a Stripe account up to date with Stripe: the account is read from Stripe again
 * (not taken from an event, which may be stale or arrive out of order) while its rows are locked, so a later
 * read is always applied after an earlier one and never overwritten by it.
 */
@Injectable()
export class ConnectAccountSync {
  constructor(
    private readonly accounts: ConnectAccountsRepository,
    private readonly payees: PayeesRepository,
    private readonly stripe: StripeTransferRail,
  ) {}

  /** The updated active payout accounts on the Stripe account; none when no payee's active account is on it. */
  async refresh(manager: EntityManager, stripeAccountId: string): Promise<PayoutAccount[]> {
    const locked = await this.accounts.lockActiveByStripeAccount(manager, stripeAccountId);
    if (locked.length === 0) return [];
    const check = await this.stripe.checkAccount(stripeAccountId);
    const updated: PayoutAccount[] = [];
    for (const account of locked) {
      const row = await this.payees.setAccountStatus(manager, account.id, check);
      if (row) updated.push(row);
    }
    return updated;
  }
}

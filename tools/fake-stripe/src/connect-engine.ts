import { type EmitEvent } from './billing-engine.js';
import {
  type AccountObject,
  type BalanceObject,
  type CapabilityStatus,
  type TransferObject,
  type TransferReversalObject,
} from './connect-objects.js';
import { listPage, type PageRequest } from './list-page.js';
import { StripeApiError } from './stripe-error.js';
import { type ListObject, stripeId } from './stripe-objects.js';

/** 10^12 minor units: a platform balance no local run spends. */
export const DEFAULT_PLATFORM_BALANCE: Readonly<Record<string, number>> = {
  eur: 1_000_000_000_000,
  usd: 1_000_000_000_000,
};

export interface NewAccount {
  readonly type: AccountObject['type'];
  readonly country: string;
  readonly email: string | null;
  readonly businessType: string | null;
  readonly defaultCurrency: string | null;
  /** Capabilities asked for; none asked means transfers (what a payout platform asks for). */
  readonly requestedCapabilities: readonly string[] | undefined;
  readonly metadata: Record<string, string>;
}

/** What the holder enters in the onboarding form. */
export interface OnboardingDetails {
  readonly businessType: 'individual' | 'company';
  readonly email: string;
}

/** What a new Express account still needs, as Stripe lists it before onboarding. */
const ONBOARDING_REQUIREMENTS = [
  'business_type',
  'external_account',
  'individual.first_name',
  'individual.last_name',
  'tos_acceptance.date',
  'tos_acceptance.ip',
] as const;

export interface NewTransfer {
  readonly amount: number;
  readonly currency: string;
  readonly destination: string;
  readonly transferGroup: string | null;
  readonly description: string | null;
  readonly metadata: Record<string, string>;
}

export interface TransferFilter {
  readonly transferGroup?: string | undefined;
  readonly destination?: string | undefined;
}

const DEFAULT_CURRENCY_BY_COUNTRY: Readonly<Record<string, string>> = {
  US: 'usd',
  GB: 'gbp',
  CH: 'chf',
  SE: 'sek',
};

/**
 * Stripe Connect's money movement from the platform: connected accounts with a `transfers` capability,
 * transfers that debit the platform's available balance per currency, and reversals that credit it back.
 * Refusals that happen once a request ran (`balance_insufficient`, an account that cannot receive) are
 * marked replayable, so an idempotency key answers them again, as Stripe does.
 */
export class ConnectEngine {
  readonly accounts = new Map<string, AccountObject>();
  /** In creation order. */
  readonly transfers = new Map<string, TransferObject>();
  private readonly available = new Map<string, number>();

  constructor(
    private readonly nowSeconds: () => number,
    private readonly emit: EmitEvent,
    balance: Readonly<Record<string, number>> = DEFAULT_PLATFORM_BALANCE,
  ) {
    for (const [currency, amount] of Object.entries(balance))
      this.available.set(currency.toLowerCase(), amount);
  }

  createAccount(input: NewAccount): AccountObject {
    const country = input.country.toUpperCase();
    const requested = input.requestedCapabilities ?? ['transfers'];
    // An Express account is Stripe-onboarded: it can receive nothing until its holder went through the account
    // link's form. The fake verifies Custom and Standard accounts at once (their platform or owner onboards them).
    const onboarded = input.type !== 'express';
    const account: AccountObject = {
      id: stripeId('acct'),
      object: 'account',
      type: input.type,
      business_type: input.businessType,
      country,
      default_currency: input.defaultCurrency ?? DEFAULT_CURRENCY_BY_COUNTRY[country] ?? 'eur',
      email: input.email,
      created: this.nowSeconds(),
      capabilities: Object.fromEntries(
        requested.map((name) => [name, onboarded ? ('active' as const) : ('inactive' as const)]),
      ),
      charges_enabled: onboarded && requested.includes('card_payments'),
      payouts_enabled: onboarded,
      details_submitted: onboarded,
      requirements: onboarded
        ? { currently_due: [], past_due: [], disabled_reason: null }
        : {
            currently_due: [...ONBOARDING_REQUIREMENTS],
            past_due: [...ONBOARDING_REQUIREMENTS],
            disabled_reason: 'requirements.past_due',
          },
      metadata: input.metadata,
    };
    this.accounts.set(account.id, account);
    this.emit('account.updated', account, undefined, account.id);
    return account;
  }

  /**
   * What the holder's submission of the onboarding form does: details submitted, every requested capability
   * active, nothing due, payouts (and charges, with card_payments) enabled; one `account.updated`.
   */
  completeOnboarding(id: string, details: OnboardingDetails): AccountObject {
    const account = this.account(id);
    const previous = {
      business_type: account.business_type,
      capabilities: { ...account.capabilities },
      charges_enabled: account.charges_enabled,
      details_submitted: account.details_submitted,
      email: account.email,
      payouts_enabled: account.payouts_enabled,
      requirements: structuredClone(account.requirements),
    };
    account.business_type = details.businessType;
    account.email = details.email;
    account.capabilities = Object.fromEntries(
      Object.keys(account.capabilities).map((name) => [name, 'active' as const]),
    );
    account.charges_enabled = 'card_payments' in account.capabilities;
    account.payouts_enabled = true;
    account.details_submitted = true;
    account.requirements = { currently_due: [], past_due: [], disabled_reason: null };
    this.emit('account.updated', account, previous, account.id);
    return account;
  }

  account(id: string): AccountObject {
    const account = this.accounts.get(id);
    if (!account) throw StripeApiError.missing('account', id);
    return account;
  }

  /** What Stripe does when an account's verification lapses (`inactive`) or is restored (`active`). */
  setTransfersCapability(id: string, status: CapabilityStatus): AccountObject {
    const account = this.account(id);
    const previous = { capabilities: { ...account.capabilities }, payouts_enabled: account.payouts_enabled };
    account.capabilities = { ...account.capabilities, transfers: status };
    account.payouts_enabled = status === 'active';
    account.requirements =
      status === 'active'
        ? { currently_due: [], past_due: [], disabled_reason: null }
        : {
            currently_due: ['individual.verification.document'],
            past_due: ['individual.verification.document'],
            disabled_reason: 'requirements.past_due',
          };
    this.emit('account.updated', account, previous, account.id);
    return account;
  }

  createTransfer(input: NewTransfer): TransferObject {
    if (!Number.isSafeInteger(input.amount) || input.amount < 1) {
      throw StripeApiError.invalid('amount', 'Invalid positive integer', 'parameter_invalid_integer');
    }
    if (!/^[a-z]{3}$/.test(input.currency)) {
      throw StripeApiError.invalid('currency', `Invalid currency: ${input.currency}`);
    }
    const account = this.accounts.get(input.destination);
    if (!account) throw StripeApiError.missing('destination', input.destination, 'destination');
    if (account.capabilities['transfers'] !== 'active') {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments',
        'insufficient_capabilities_for_transfer',
        'destination',
      ).replayable();
    }
    const available = this.available.get(input.currency) ?? 0;
    if (available < input.amount) {
      throw new StripeApiError(
        400,
        'invalid_request_error',
        'You have insufficient available funds in your Stripe account. Try adding funds directly to your available balance by creating Charges using the 4000000000000077 test card.',
        'balance_insufficient',
      ).replayable();
    }
    this.available.set(input.currency, available - input.amount);
    const id = stripeId('tr');
    const transfer: TransferObject = {
      id,
      object: 'transfer',
      amount: input.amount,
      amount_reversed: 0,
      balance_transaction: stripeId('txn'),
      created: this.nowSeconds(),
      currency: input.currency,
      description: input.description,
      destination: account.id,
      destination_payment: stripeId('py'),
      livemode: false,
      metadata: input.metadata,
      reversals: {
        object: 'list',
        data: [],
        has_more: false,
        total_count: 0,
        url: `/v1/transfers/${id}/reversals`,
      },
      reversed: false,
      source_transaction: null,
      source_type: 'card',
      transfer_group: input.transferGroup,
    };
    this.transfers.set(id, transfer);
    this.emit('transfer.created', transfer);
    return transfer;
  }

  transfer(id: string): TransferObject {
    const transfer = this.transfers.get(id);
    if (!transfer) throw StripeApiError.missing('transfer', id);
    return transfer;
  }

  listTransfers(filter: TransferFilter, page: PageRequest): ListObject<TransferObject> {
    const matching = [...this.transfers.values()]
      .filter(
        (transfer) => filter.transferGroup === undefined || transfer.transfer_group === filter.transferGroup,
      )
      .filter((transfer) => filter.destination === undefined || transfer.destination === filter.destination)
      .reverse();
    return listPage(matching, page, '/v1/transfers');
  }

  /** Returns `amount` (default: what is left) from the destination to the platform's balance. */
  reverse(
    transfer: TransferObject,
    amount: number | undefined,
    metadata: Record<string, string>,
  ): TransferReversalObject {
    const remaining = transfer.amount - transfer.amount_reversed;
    if (remaining === 0) {
      throw StripeApiError.invalid('amount', `Transfer ${transfer.id} has already been fully reversed.`);
    }
    const reversed = amount ?? remaining;
    if (!Number.isSafeInteger(reversed) || reversed < 1 || reversed > remaining) {
      throw StripeApiError.invalid(
        'amount',
        `Reversal amount must be a positive integer no greater than the ${remaining} not yet reversed.`,
      );
    }
    const previous = { amount_reversed: transfer.amount_reversed, reversed: transfer.reversed };
    const reversal: TransferReversalObject = {
      id: stripeId('trr'),
      object: 'transfer_reversal',
      amount: reversed,
      balance_transaction: stripeId('txn'),
      created: this.nowSeconds(),
      currency: transfer.currency,
      destination_payment_refund: stripeId('pyr'),
      metadata,
      source_refund: null,
      transfer: transfer.id,
    };
    transfer.amount_reversed += reversed;
    transfer.reversed = transfer.amount_reversed === transfer.amount;
    transfer.reversals.data.unshift(reversal);
    transfer.reversals.total_count += 1;
    this.available.set(transfer.currency, (this.available.get(transfer.currency) ?? 0) + reversed);
    this.emit('transfer.reversed', transfer, previous);
    return reversal;
  }

  balance(): BalanceObject {
    const available = [...this.available.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, amount]) => ({ amount, currency, source_types: { card: amount } }));
    return { object: 'balance', available, pending: [], livemode: false };
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { processCounter } from '@onecommons/telemetry';
import { type EntityManager } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { TreasuryAccount } from './accounts.js';
import { PeriodPrices } from './period-prices.js';
import {
  type CapturedPayment,
  mintTransaction,
  paymentKey,
  type Redemption,
  redeemTransaction,
  suspenseTransaction,
} from './treasury-postings.js';
import { defaultPrice, type Price, reserveCovers } from './treasury-math.js';
import { TreasuryRepository } from './treasury.repository.js';

export class TreasuryError extends Error {
  constructor(
    readonly code: 'reserve_invariant' | 'period_not_priced' | 'insufficient_tokens' | 'invalid_amount',
    message: string,
  ) {
    super(message);
    this.name = 'TreasuryError';
  }
}

export type MintOutcome =
  | { readonly kind: 'minted'; readonly tokens: bigint; readonly price: Price }
  | { readonly kind: 'suspended' }
  | { readonly kind: 'duplicate' };

// Not started at zero: the currency is whatever a payment arrives in, an open set.
const foreignPayments = () =>
  processCounter({
    name: 'onecommons_ledger_foreign_currency_payments_total',
    help: 'Payments captured in a currency other than the treasury currency: held on suspense, not minted',
    labelNames: ['currency'],
  });

/**
 * The CommonCents treasury (docs/money-rules.md): mints captured payments into the subscriber's period escrow and
 * redeems tokens for currency, each as one ledger transaction, checking the reserve invariant after it.
 */
@Injectable()
export class Treasury {
  private readonly logger = new Logger(Treasury.name);
  private readonly foreignPayments = foreignPayments();

  constructor(
    private readonly journal: LedgerJournal,
    private readonly prices: PeriodPrices,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
    private readonly rows: TreasuryRepository,
  ) {}

  get currency(): string {
    return this.config.LEDGER_CURRENCY;
  }

  async mintPayment(manager: EntityManager, payment: CapturedPayment): Promise<MintOutcome> {
    await this.journal.lock(manager); // before reading the reserve the price is computed from
    if ((await this.journal.postedSeq(manager, paymentKey(payment.paymentId))) !== undefined) {
      return { kind: 'duplicate' };
    }
    if (payment.currency !== this.currency) {
      this.logger.warn(
        `payment ${payment.paymentId} is in ${payment.currency}, not the treasury's ${this.currency}: held on ` +
          `${TreasuryAccount.foreignCurrencySuspense}, no tokens minted`,
      );
      this.foreignPayments.inc({ currency: payment.currency });
      await this.journal.post(manager, suspenseTransaction(payment));
      return { kind: 'suspended' };
    }
    await this.prices.fixOnFirstMint(manager, payment.period, {
      currency: this.currency,
      fixedBy: paymentKey(payment.paymentId),
    });
    // Every payment mints at the valuation price, the period's own or higher: a late payment for a period priced
    // lower would mint tokens the reserve cannot back, diluting every holder; one for a period priced before a
    // loss cut the valuation mints at the cut price (the period's old price no longer holds).
    const price = await this.prices.valuation(manager);
    const { transaction, tokens } = mintTransaction(payment, price, BigInt(this.config.LEDGER_RESERVE_BPS));
    await this.journal.post(manager, transaction);
    if (tokens > 0n) {
      await this.rows.addSubscriberTokens(manager, payment.period, payment.subscriberId, tokens);
    }
    await this.assertReserveCovers(manager);
    return { kind: 'minted', tokens, price };
  }

  /**
   * Redeems a holder's tokens at the price of the given period; the currency becomes payable to the holder
   * (`payable:<holder>`), and what the floor leaves stays in the reserve. Idempotent by `redemption.key`.
   */
  async redeem(
    manager: EntityManager,
    redemption: Redemption,
  ): Promise<{ readonly posted: boolean; readonly paid: bigint }> {
    if (redemption.tokens <= 0n) {
      throw new TreasuryError('invalid_amount', `redeem ${redemption.key}: tokens must be positive`);
    }
    await this.journal.lock(manager);
    const price = await this.prices.redemptionPrice(manager, redemption.period);
    if (!price) {
      throw new TreasuryError(
        'period_not_priced',
        `redeem ${redemption.key}: ${redemption.period} has no price`,
      );
    }
    const { transaction, paid } = redeemTransaction(redemption, price, this.currency);
    if ((await this.journal.postedSeq(manager, redemption.key)) !== undefined) return { posted: false, paid };
    const held = await this.journal.balance(manager, redemption.holder, TOKEN_UNIT);
    if (held < redemption.tokens) {
      throw new TreasuryError(
        'insufficient_tokens',
        `redeem ${redemption.key}: ${redemption.holder} holds ${held} uCC, not ${redemption.tokens}`,
      );
    }
    await this.journal.post(manager, transaction);
    await this.assertReserveCovers(manager);
    return { posted: true, paid };
  }

  /**
   * After currency left the reserve without its tokens (a refund's loss, or a share the burn could not match):
   * when the reserve no longer covers the outstanding tokens at the valuation price, cuts that price to
   * reserve / outstanding from the transaction `cutBy` on. Returns the cut price, or null when none was needed.
   */
  async keepReserveCovering(manager: EntityManager, cutBy: string): Promise<Price | null> {
    const { reserve, outstanding } = await this.reserveState(manager);
    if (reserveCovers(reserve, outstanding, await this.prices.valuation(manager))) return null;
    // A loss leaves the reserve at least one minor unit while tokens are outstanding: the price stays positive.
    const price = defaultPrice(reserve, outstanding);
    await this.prices.recordCut(manager, { cutBy, price, reserve, outstanding });
    this.logger.warn(
      `${cutBy}: the reserve (${reserve} ${this.currency}) no longer covered ${outstanding} uCC; valuation cut to ${price.num}/${price.den}`,
    );
    await this.assertReserveCovers(manager);
    return price;
  }

  private async reserveState(manager: EntityManager): Promise<{ reserve: bigint; outstanding: bigint }> {
    return {
      reserve: await this.journal.balance(manager, TreasuryAccount.reserve, this.currency),
      outstanding: -(await this.journal.balance(manager, TreasuryAccount.issued, TOKEN_UNIT)),
    };
  }

  /** reserve ≥ outstanding × the valuation price: the reserve can pay every holder (rolls back if not). */
  async assertReserveCovers(manager: EntityManager): Promise<void> {
    const { reserve, outstanding } = await this.reserveState(manager);
    const price = await this.prices.valuation(manager);
    if (!reserveCovers(reserve, outstanding, price)) {
      throw new TreasuryError(
        'reserve_invariant',
        `reserve ${reserve} ${this.currency} does not cover ${outstanding} uCC at ${price.num}/${price.den}`,
      );
    }
  }
}

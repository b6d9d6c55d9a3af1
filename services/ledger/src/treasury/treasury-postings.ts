import { type LedgerTransaction, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { payableAccount, subscriberEscrow, TreasuryAccount } from './accounts.js';
import { mintFor, type Price, redemptionValue } from './treasury-math.js';

export interface CapturedPayment {
  readonly paymentId: string;
  readonly subscriberId: string;
  readonly period: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

export const paymentKey = (paymentId: string) => `payment:${paymentId}`;

/** A payment in the treasury currency: the currency into the reserve, tokens into the period escrow. */
export function mintTransaction(
  payment: CapturedPayment,
  price: Price,
  reserveBps: bigint,
): { transaction: LedgerTransaction; tokens: bigint } {
  const mint = mintFor(payment.amountMinor, price, reserveBps);
  const escrow = subscriberEscrow(payment.subscriberId, payment.period);
  const postings = [
    { account: TreasuryAccount.paymentsReceived, unit: payment.currency, amount: -payment.amountMinor },
    { account: TreasuryAccount.reserve, unit: payment.currency, amount: payment.amountMinor },
    ...(mint.tokens > 0n
      ? [
          { account: TreasuryAccount.issued, unit: TOKEN_UNIT, amount: -mint.tokens },
          { account: escrow, unit: TOKEN_UNIT, amount: mint.tokens },
        ]
      : []),
  ];
  return {
    tokens: mint.tokens,
    transaction: {
      key: paymentKey(payment.paymentId),
      kind: 'mint',
      period: payment.period,
      memo: {
        paymentId: payment.paymentId,
        subscriber: payment.subscriberId,
        price: `${price.num}/${price.den}`,
        retained: mint.retained.toString(),
        tokens: mint.tokens.toString(),
      },
      postings,
    },
  };
}

/** A payment in another currency: recorded on suspense in its own unit, nothing minted. */
export function suspenseTransaction(payment: CapturedPayment): LedgerTransaction {
  return {
    key: paymentKey(payment.paymentId),
    kind: 'payment-suspense',
    period: payment.period,
    memo: { paymentId: payment.paymentId, subscriber: payment.subscriberId, reason: 'foreign-currency' },
    postings: [
      { account: TreasuryAccount.paymentsReceived, unit: payment.currency, amount: -payment.amountMinor },
      {
        account: TreasuryAccount.foreignCurrencySuspense,
        unit: payment.currency,
        amount: payment.amountMinor,
      },
    ],
  };
}

export interface Redemption {
  /** Unique per redemption, chosen by the caller (e.g. `redeem:<period>:<holder>`). */
  readonly key: string;
  readonly holder: string;
  /** The period whose price the tokens redeem at. */
  readonly period: string;
  readonly tokens: bigint;
}

/** Burns the holder's tokens back into `treasury:issued` and pays their value from the reserve. */
export function redeemTransaction(
  redemption: Redemption,
  price: Price,
  currency: string,
): { transaction: LedgerTransaction; paid: bigint } {
  const paid = redemptionValue(redemption.tokens, price);
  const postings = [
    { account: redemption.holder, unit: TOKEN_UNIT, amount: -redemption.tokens },
    { account: TreasuryAccount.issued, unit: TOKEN_UNIT, amount: redemption.tokens },
    ...(paid > 0n
      ? [
          { account: TreasuryAccount.reserve, unit: currency, amount: -paid },
          { account: payableAccount(redemption.holder), unit: currency, amount: paid },
        ]
      : []),
  ];
  return {
    paid,
    transaction: {
      key: redemption.key,
      kind: 'redeem',
      period: redemption.period,
      memo: {
        holder: redemption.holder,
        price: `${price.num}/${price.den}`,
        tokens: redemption.tokens.toString(),
        paid: paid.toString(),
      },
      postings,
    },
  };
}

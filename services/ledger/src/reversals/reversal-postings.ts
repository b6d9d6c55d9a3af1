import { type LedgerTransaction, type Posting, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { subscriberEscrow, TreasuryAccount } from '../treasury/accounts.js';

/**
 * Money going back out of a captured payment (docs/money-rules.md, "Refunds and disputes"), as pure functions
 * from the payment, what earlier reversals did to it and the state of its period to one journal transaction.
 */

export const REVERSAL_KINDS = ['refund', 'dispute_withdrawal', 'dispute_reinstatement'] as const;

export type ReversalKind = (typeof REVERSAL_KINDS)[number];

/**
 * What a reversal did. Out: `tokens_burned` (before the close: the refunded share of the tokens left the
 * escrow), `reserve_loss` (after it: the reserve bore the loss), `suspense_returned` (a foreign-currency
 * payment, never minted). Back in (a dispute won): `tokens_reminted` (the burned tokens return to the
 * still-open escrow), `reserve_regained` (the currency returns to the reserve), `suspense_regained`.
 */
export const REVERSAL_EFFECTS = [
  'tokens_burned',
  'reserve_loss',
  'suspense_returned',
  'tokens_reminted',
  'reserve_regained',
  'suspense_regained',
] as const;

export type ReversalEffect = (typeof REVERSAL_EFFECTS)[number];

/** A payment as its mint (or suspense) transaction recorded it. */
export interface MintedPayment {
  readonly paymentId: string;
  readonly subscriberId: string;
  /** The period whose escrow the payment funded (its own, or the first open one for a late payment). */
  readonly escrowPeriod: string;
  readonly paid: bigint;
  readonly tokens: bigint;
  readonly currency: string;
  /** False for a payment held on suspense (another currency than the treasury's): nothing was minted. */
  readonly minted: boolean;
}

/** What the payment's earlier reversals did, net: currency gone back out, tokens burned. */
export interface ReversedSoFar {
  readonly reversed: bigint;
  readonly burned: bigint;
}

export interface Reversal {
  /** The journal key, e.g. `refund:<identity refund id>`. */
  readonly key: string;
  readonly kind: ReversalKind;
  readonly amount: bigint;
  /** Identity's id of the refund or dispute, the provider's, and its reason. */
  readonly sourceId: string;
  readonly reference: string;
  readonly reason: string | null;
}

export interface ReversalContext {
  /** Whether the escrow period is closed (its tokens allocated). */
  readonly periodClosed: boolean;
  /** The period a transaction after the close is posted in (the first open one). */
  readonly currentPeriod: string;
  readonly escrowBalance: bigint;
  /**
   * What the reserve can pay out: its balance, less one minor unit while tokens are outstanding (so their price
   * stays positive: together they are then worth that unit).
   */
  readonly reserveCanBear: bigint;
}

/** A posted reversal's own effect, which a reinstatement undoes exactly. */
export interface ReversalRecord {
  readonly effect: ReversalEffect;
  readonly amount: bigint;
  /** Signed: tokens burned (positive) or re-minted (negative). */
  readonly tokensBurned: bigint;
  /** Signed: currency the reserve paid (positive) or got back (negative). */
  readonly reserveMinor: bigint;
  /** Signed: currency beyond the reserve's balance, advanced (positive) or repaid (negative). */
  readonly shortfallMinor: bigint;
  /** The period the transaction is posted in. */
  readonly period: string;
}

export class ReversalError extends Error {
  constructor(
    readonly code: 'exceeds_payment' | 'no_withdrawal',
    message: string,
  ) {
    super(message);
    this.name = 'ReversalError';
  }
}

const ceilDiv = (numerator: bigint, denominator: bigint) => (numerator + denominator - 1n) / denominator;

/**
 * The tokens a reversal burns: the refunded share of what the payment minted, `ceil(T × R / F)` for the
 * payment's cumulative reversed amount R, less what earlier reversals burned. Cumulative, so partial refunds add
 * up to exactly T on a full refund; rounded up, so the reserve never pays out more than the tokens it retires
 * were worth. Never more than the escrow holds.
 */
export function tokensToBurn(
  payment: MintedPayment,
  reversedAfter: bigint,
  burnedSoFar: bigint,
  escrow: bigint,
) {
  const due = payment.paid === 0n ? 0n : ceilDiv(payment.tokens * reversedAfter, payment.paid) - burnedSoFar;
  const positive = due > 0n ? due : 0n;
  const available = escrow > 0n ? escrow : 0n;
  return positive < available ? positive : available;
}

/** A refund or a dispute's withdrawal: currency out of the reserve (or suspense), tokens burned before the close. */
export function outflowTransaction(
  payment: MintedPayment,
  soFar: ReversedSoFar,
  reversal: Reversal,
  context: ReversalContext,
): { transaction: LedgerTransaction; record: ReversalRecord } {
  if (reversal.amount <= 0n || soFar.reversed + reversal.amount > payment.paid) {
    throw new ReversalError(
      'exceeds_payment',
      `${reversal.key}: ${reversal.amount} would take payment ${payment.paymentId} beyond what it paid ` +
        `(${payment.paid}, ${soFar.reversed} already reversed)`,
    );
  }
  const amount = reversal.amount;
  if (!payment.minted) {
    const record = suspenseRecord('suspense_returned', amount, periodOf(payment, context, false));
    return posted(payment, reversal, record, [
      { account: TreasuryAccount.foreignCurrencySuspense, unit: payment.currency, amount: -amount },
      { account: TreasuryAccount.paymentsRefunded, unit: payment.currency, amount },
    ]);
  }
  const bearable = context.reserveCanBear > 0n ? context.reserveCanBear : 0n;
  const fromReserve = amount < bearable ? amount : bearable;
  const shortfall = amount - fromReserve;
  const burned = context.periodClosed
    ? 0n
    : tokensToBurn(payment, soFar.reversed + amount, soFar.burned, context.escrowBalance);
  const record: ReversalRecord = {
    effect: context.periodClosed ? 'reserve_loss' : 'tokens_burned',
    amount,
    tokensBurned: burned,
    reserveMinor: fromReserve,
    shortfallMinor: shortfall,
    period: periodOf(payment, context, false),
  };
  const escrow = subscriberEscrow(payment.subscriberId, payment.escrowPeriod);
  return posted(payment, reversal, record, [
    ...nonZero(TreasuryAccount.reserve, payment.currency, -fromReserve),
    ...nonZero(TreasuryAccount.refundShortfall, payment.currency, -shortfall),
    {
      account: context.periodClosed ? TreasuryAccount.refundLosses : TreasuryAccount.paymentsRefunded,
      unit: payment.currency,
      amount,
    },
    ...nonZero(escrow, TOKEN_UNIT, -burned),
    ...nonZero(TreasuryAccount.issued, TOKEN_UNIT, burned),
  ]);
}

/**
 * A dispute won: undoes exactly what its withdrawal did. The burned tokens come back only while the escrow
 * period is open; after its close the currency alone returns to the reserve (the tokens were never allocated).
 */
export function reinstatementTransaction(
  payment: MintedPayment,
  withdrawal: ReversalRecord,
  reversal: Reversal,
  context: ReversalContext,
): { transaction: LedgerTransaction; record: ReversalRecord } {
  const amount = withdrawal.amount;
  if (withdrawal.effect === 'suspense_returned') {
    const record = suspenseRecord('suspense_regained', amount, periodOf(payment, context, false));
    return posted(payment, reversal, record, [
      { account: TreasuryAccount.paymentsRefunded, unit: payment.currency, amount: -amount },
      { account: TreasuryAccount.foreignCurrencySuspense, unit: payment.currency, amount },
    ]);
  }
  const remint =
    withdrawal.effect === 'tokens_burned' && !context.periodClosed ? withdrawal.tokensBurned : 0n;
  const record: ReversalRecord = {
    effect: remint > 0n ? 'tokens_reminted' : 'reserve_regained',
    amount,
    tokensBurned: -remint,
    reserveMinor: -withdrawal.reserveMinor,
    shortfallMinor: -withdrawal.shortfallMinor,
    period: periodOf(payment, context, remint > 0n),
  };
  const escrow = subscriberEscrow(payment.subscriberId, payment.escrowPeriod);
  return posted(payment, reversal, record, [
    {
      account:
        withdrawal.effect === 'reserve_loss'
          ? TreasuryAccount.refundLosses
          : TreasuryAccount.paymentsRefunded,
      unit: payment.currency,
      amount: -amount,
    },
    ...nonZero(TreasuryAccount.reserve, payment.currency, withdrawal.reserveMinor),
    ...nonZero(TreasuryAccount.refundShortfall, payment.currency, withdrawal.shortfallMinor),
    ...nonZero(TreasuryAccount.issued, TOKEN_UNIT, -remint),
    ...nonZero(escrow, TOKEN_UNIT, remint),
  ]);
}

/** Before the close a reversal belongs to the escrow's period; after it, to the current one (nothing closed is rewritten). */
function periodOf(payment: MintedPayment, context: ReversalContext, touchesEscrow: boolean): string {
  return !context.periodClosed || touchesEscrow ? payment.escrowPeriod : context.currentPeriod;
}

const suspenseRecord = (effect: ReversalEffect, amount: bigint, period: string): ReversalRecord => ({
  effect,
  amount,
  tokensBurned: 0n,
  reserveMinor: 0n,
  shortfallMinor: 0n,
  period,
});

const nonZero = (account: string, unit: string, amount: bigint): Posting[] =>
  amount === 0n ? [] : [{ account, unit, amount }];

function posted(
  payment: MintedPayment,
  reversal: Reversal,
  record: ReversalRecord,
  postings: Posting[],
): { transaction: LedgerTransaction; record: ReversalRecord } {
  return {
    record,
    transaction: {
      key: reversal.key,
      kind: reversal.kind,
      period: record.period,
      memo: {
        paymentId: payment.paymentId,
        subscriber: payment.subscriberId,
        escrowPeriod: payment.escrowPeriod,
        sourceId: reversal.sourceId,
        reference: reversal.reference,
        ...(reversal.reason === null ? {} : { reason: reversal.reason }),
        effect: record.effect,
        amount: record.amount.toString(),
        tokens: record.tokensBurned.toString(),
      },
      postings,
    },
  };
}

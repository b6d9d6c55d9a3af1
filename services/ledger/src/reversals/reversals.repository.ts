import { Injectable } from '@nestjs/common';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { TreasuryAccount } from '../treasury/accounts.js';
import { paymentKey } from '../treasury/treasury-postings.js';
import {
  type MintedPayment,
  REVERSAL_EFFECTS,
  REVERSAL_KINDS,
  type Reversal,
  type ReversalEffect,
  type ReversalKind,
  type ReversalRecord,
  type ReversedSoFar,
} from './reversal-postings.js';

/** A payment's mint (or suspense) transaction; `paid` and `currency` are null when it has no received entry. */
export interface PaymentMint {
  readonly kind: string;
  readonly period: string;
  readonly memo: Readonly<Record<string, string>>;
  readonly paid: bigint | null;
  readonly currency: string | null;
}

/** A posted reversal as a subscriber's statement lists it. */
export interface PostedReversal {
  readonly kind: ReversalKind;
  readonly paymentId: string;
  readonly reference: string;
  readonly reason: string | null;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly effect: ReversalEffect;
  readonly tokensBurned: bigint;
  /** The period it was posted in. */
  readonly period: string;
  readonly occurredAt: Date;
}

const paymentMintRow = z.object({
  kind: z.string(),
  period: z.string(),
  memo: z.record(z.string(), z.string()),
  paid: bigintText.nullable(),
  currency: z.string().nullable(),
});

const reversedSoFarRow = z.object({ reversed: bigintText, burned: bigintText });

const reversalRecordRow = z
  .object({
    effect: z.enum(REVERSAL_EFFECTS),
    amount_minor: bigintText,
    tokens_burned: bigintText,
    reserve_minor: bigintText,
    shortfall_minor: bigintText,
    period: z.string(),
  })
  .transform((row): ReversalRecord => ({
    effect: row.effect,
    amount: row.amount_minor,
    tokensBurned: row.tokens_burned,
    reserveMinor: row.reserve_minor,
    shortfallMinor: row.shortfall_minor,
    period: row.period,
  }));

const postedReversalRow = z
  .object({
    kind: z.enum(REVERSAL_KINDS),
    payment_id: z.string(),
    reference: z.string(),
    reason: z.string().nullable(),
    amount_minor: bigintText,
    currency: z.string(),
    effect: z.enum(REVERSAL_EFFECTS),
    tokens_burned: bigintText,
    period: z.string(),
    occurred_at: z.date(),
  })
  .transform((row): PostedReversal => ({
    kind: row.kind,
    paymentId: row.payment_id,
    reference: row.reference,
    reason: row.reason,
    amountMinor: row.amount_minor,
    currency: row.currency,
    effect: row.effect,
    tokensBurned: row.tokens_burned,
    period: row.period,
    occurredAt: row.occurred_at,
  }));

/** The payment_reversals table, the reads of the payments it reverses and the tokens a reversal burns. */
@Injectable()
export class ReversalsRepository {
  /** The payment's mint (or suspense) transaction with what its payer paid; null when it was never posted. */
  async paymentMint(manager: EntityManager, paymentId: string): Promise<PaymentMint | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'reversals.paymentMint',
        row: paymentMintRow,
        sql: `SELECT t.kind, t.period, t.memo, (-e.amount)::text AS paid, e.unit AS currency
         FROM ledger_transactions t
         LEFT JOIN ledger_entries e ON e.transaction_key = t.key AND e.account = $2
        WHERE t.key = $1`,
      },
      [paymentKey(paymentId), TreasuryAccount.paymentsReceived],
    );
    return row ?? null;
  }

  /** What the payment's reversals so far took out, net of reinstatements; null only if the sums return no row. */
  async reversedSoFar(manager: EntityManager, paymentId: string): Promise<ReversedSoFar | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'reversals.reversedSoFar',
        row: reversedSoFarRow,
        sql: `SELECT coalesce(sum(CASE WHEN kind = 'dispute_reinstatement' THEN -amount_minor ELSE amount_minor END), 0)::text
                AS reversed,
              coalesce(sum(tokens_burned), 0)::text AS burned
         FROM payment_reversals WHERE payment_id = $1`,
      },
      [paymentId],
    );
    return row ?? null;
  }

  /** The effect of the reversal posted with this journal key; null when there is none. */
  async recordOf(manager: EntityManager, key: string): Promise<ReversalRecord | null> {
    const [record] = await queryRows(
      manager,
      {
        name: 'reversals.recordOf',
        row: reversalRecordRow,
        sql: `SELECT effect, amount_minor::text AS amount_minor, tokens_burned::text AS tokens_burned,
              reserve_minor::text AS reserve_minor, shortfall_minor::text AS shortfall_minor, period
         FROM payment_reversals WHERE transaction_key = $1`,
      },
      [key],
    );
    return record ?? null;
  }

  /** The reversals of the payments that funded the subscriber's escrow for the period, in the order posted. */
  async ofEscrow(manager: EntityManager, subscriberId: string, period: string): Promise<PostedReversal[]> {
    return queryRows(
      manager,
      {
        name: 'reversals.ofEscrow',
        row: postedReversalRow,
        sql: `SELECT r.kind, r.payment_id, r.reference, r.reason, r.amount_minor::text AS amount_minor, r.currency, r.effect,
            r.tokens_burned::text AS tokens_burned, r.period, r.occurred_at
       FROM payment_reversals r JOIN ledger_transactions t ON t.key = r.transaction_key
      WHERE r.subscriber_id = $1 AND r.escrow_period = $2 ORDER BY t.seq`,
      },
      [subscriberId, period],
    );
  }

  /** Records a posted reversal: what it reversed (the payment) and what it did (its record). */
  async record(
    manager: EntityManager,
    payment: MintedPayment,
    reversal: Reversal & { readonly occurredAt: Date },
    record: ReversalRecord,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO payment_reversals (transaction_key, payment_id, subscriber_id, escrow_period, kind, source_id,
                                      reference, reason, effect, currency, amount_minor, tokens_burned, reserve_minor,
                                      shortfall_minor, period, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        reversal.key,
        payment.paymentId,
        payment.subscriberId,
        payment.escrowPeriod,
        reversal.kind,
        reversal.sourceId,
        reversal.reference,
        reversal.reason,
        record.effect,
        payment.currency,
        record.amount.toString(),
        record.tokensBurned.toString(),
        record.reserveMinor.toString(),
        record.shortfallMinor.toString(),
        record.period,
        reversal.occurredAt,
      ],
    );
  }

  /** Takes burned tokens off the subscriber's tokens of the period (a close allocates only what is left). */
  async burnSubscriberTokens(
    manager: EntityManager,
    period: string,
    subscriberId: string,
    tokens: bigint,
  ): Promise<void> {
    await manager.query(
      'UPDATE subscriber_tokens SET tokens = tokens - $3 WHERE period = $1 AND subscriber_id = $2',
      [period, subscriberId, tokens.toString()],
    );
  }
}

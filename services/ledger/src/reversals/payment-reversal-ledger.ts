import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { isClosed, openPeriodFor } from '../periods/open-periods.js';
import { subscriberEscrow, TreasuryAccount } from '../treasury/accounts.js';
import { paymentKey } from '../treasury/treasury-postings.js';
import { Treasury } from '../treasury/treasury.js';
import {
  type MintedPayment,
  outflowTransaction,
  reinstatementTransaction,
  type Reversal,
  ReversalError,
  type ReversalRecord,
  type ReversedSoFar,
} from './reversal-postings.js';

export interface PaymentReversalInput extends Reversal {
  readonly paymentId: string;
  readonly currency: string;
  readonly occurredAt: Date;
  /** For a reinstatement: the key of the withdrawal it undoes. */
  readonly undoes?: string;
}

interface MintRow {
  kind: string;
  period: string;
  memo: Record<string, string>;
  paid: string | null;
  currency: string | null;
}

interface RecordRow {
  effect: ReversalRecord['effect'];
  amount_minor: string;
  tokens_burned: string;
  reserve_minor: string;
  shortfall_minor: string;
  period: string;
}

/**
 * Posts refunds and disputes against the payment they reverse, one journal transaction each, idempotent by
 * its key. Under the journal lock, like mints and closes: a reversal racing its period's close lands wholly
 * before it (tokens burned from the escrow) or wholly after it (a loss of the reserve), never both or neither.
 */
@Injectable()
export class PaymentReversalLedger {
  constructor(
    private readonly journal: LedgerJournal,
    private readonly treasury: Treasury,
  ) {}

  async post(manager: EntityManager, input: PaymentReversalInput): Promise<ReversalRecord | 'duplicate'> {
    await this.journal.lock(manager);
    if ((await this.journal.postedSeq(manager, input.key)) !== undefined) return 'duplicate';
    const payment = await this.mintedPayment(manager, input.paymentId);
    if (payment.currency !== input.currency)
      throw new Error(
        `${input.key} is in ${input.currency}, its payment ${payment.paymentId} in ${payment.currency}`,
      );
    const escrow = subscriberEscrow(payment.subscriberId, payment.escrowPeriod);
    const periodClosed = await isClosed(manager, payment.escrowPeriod);
    const context = {
      periodClosed,
      currentPeriod: periodClosed
        ? await openPeriodFor(manager, payment.escrowPeriod, input.occurredAt)
        : payment.escrowPeriod,
      escrowBalance: await this.journal.balance(manager, escrow, TOKEN_UNIT),
      reserveCanBear: await this.reserveCanBear(manager, payment.currency),
    };
    const { transaction, record } =
      input.undoes === undefined
        ? outflowTransaction(payment, await this.soFar(manager, payment.paymentId), input, context)
        : reinstatementTransaction(payment, await this.withdrawal(manager, input.undoes), input, context);
    await this.journal.post(manager, transaction);
    await manager.query(
      `INSERT INTO payment_reversals (transaction_key, payment_id, subscriber_id, escrow_period, kind, source_id,
                                      reference, reason, effect, currency, amount_minor, tokens_burned, reserve_minor,
                                      shortfall_minor, period, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        input.key,
        payment.paymentId,
        payment.subscriberId,
        payment.escrowPeriod,
        input.kind,
        input.sourceId,
        input.reference,
        input.reason,
        record.effect,
        payment.currency,
        record.amount.toString(),
        record.tokensBurned.toString(),
        record.reserveMinor.toString(),
        record.shortfallMinor.toString(),
        record.period,
        input.occurredAt,
      ],
    );
    // The close allocates the escrow's tokens as the subscriber's: burned ones are no longer theirs to allocate.
    if (record.tokensBurned !== 0n) {
      await manager.query(
        'UPDATE subscriber_tokens SET tokens = tokens - $3 WHERE period = $1 AND subscriber_id = $2',
        [payment.escrowPeriod, payment.subscriberId, record.tokensBurned.toString()],
      );
    }
    if (payment.minted) await this.treasury.keepReserveCovering(manager, input.key);
    return record;
  }

  /** The reserve less one minor unit while tokens are outstanding: their price must stay positive. */
  private async reserveCanBear(manager: EntityManager, currency: string): Promise<bigint> {
    const reserve = await this.journal.balance(manager, TreasuryAccount.reserve, currency);
    const issued = await this.journal.balance(manager, TreasuryAccount.issued, TOKEN_UNIT);
    return issued < 0n ? reserve - 1n : reserve;
  }

  /** The payment as its mint (or suspense) transaction recorded it. */
  private async mintedPayment(manager: EntityManager, paymentId: string): Promise<MintedPayment> {
    const [row] = (await manager.query(
      `SELECT t.kind, t.period, t.memo, (-e.amount)::text AS paid, e.unit AS currency
         FROM ledger_transactions t
         LEFT JOIN ledger_entries e ON e.transaction_key = t.key AND e.account = $2
        WHERE t.key = $1`,
      [paymentKey(paymentId), TreasuryAccount.paymentsReceived],
    )) as MintRow[];
    if (!row || row.paid === null || row.currency === null) {
      // Identity publishes a reversal after its payment, on the same key: an unknown payment is a broken log.
      throw new Error(
        `payment ${paymentId} was never captured in this ledger: its reversal cannot be posted`,
      );
    }
    return {
      paymentId,
      subscriberId: row.memo['subscriber'] ?? '',
      escrowPeriod: row.period,
      paid: BigInt(row.paid),
      tokens: BigInt(row.memo['tokens'] ?? '0'),
      currency: row.currency,
      minted: row.kind === 'mint',
    };
  }

  private async soFar(manager: EntityManager, paymentId: string): Promise<ReversedSoFar> {
    const [row] = (await manager.query(
      `SELECT coalesce(sum(CASE WHEN kind = 'dispute_reinstatement' THEN -amount_minor ELSE amount_minor END), 0)::text
                AS reversed,
              coalesce(sum(tokens_burned), 0)::text AS burned
         FROM payment_reversals WHERE payment_id = $1`,
      [paymentId],
    )) as { reversed: string; burned: string }[];
    return { reversed: BigInt(row?.reversed ?? '0'), burned: BigInt(row?.burned ?? '0') };
  }

  private async withdrawal(manager: EntityManager, key: string): Promise<ReversalRecord> {
    const [row] = (await manager.query(
      `SELECT effect, amount_minor::text AS amount_minor, tokens_burned::text AS tokens_burned,
              reserve_minor::text AS reserve_minor, shortfall_minor::text AS shortfall_minor, period
         FROM payment_reversals WHERE transaction_key = $1`,
      [key],
    )) as RecordRow[];
    if (!row) throw new ReversalError('no_withdrawal', `${key} was never posted: nothing to reinstate`);
    return {
      effect: row.effect,
      amount: BigInt(row.amount_minor),
      tokensBurned: BigInt(row.tokens_burned),
      reserveMinor: BigInt(row.reserve_minor),
      shortfallMinor: BigInt(row.shortfall_minor),
      period: row.period,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { openPeriodFor } from '../periods/open-periods.js';
import { PeriodClosesRepository } from '../periods/period-closes.repository.js';
import { subscriberEscrow, TreasuryAccount } from '../treasury/accounts.js';
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
import { ReversalsRepository } from './reversals.repository.js';

export interface PaymentReversalInput extends Reversal {
  readonly paymentId: string;
  readonly currency: string;
  readonly occurredAt: Date;
  /** For a reinstatement: the key of the withdrawal it undoes. */
  readonly undoes?: string;
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
    private readonly reversals: ReversalsRepository,
    private readonly closes: PeriodClosesRepository,
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
    const isClosed = (period: string) => this.closes.isClosed(manager, period);
    const periodClosed = await isClosed(payment.escrowPeriod);
    const context = {
      periodClosed,
      currentPeriod: periodClosed
        ? await openPeriodFor(isClosed, payment.escrowPeriod, input.occurredAt)
        : payment.escrowPeriod,
      escrowBalance: await this.journal.balance(manager, escrow, TOKEN_UNIT),
      reserveCanBear: await this.reserveCanBear(manager, payment.currency),
    };
    const { transaction, record } =
      input.undoes === undefined
        ? outflowTransaction(payment, await this.soFar(manager, payment.paymentId), input, context)
        : reinstatementTransaction(payment, await this.withdrawal(manager, input.undoes), input, context);
    await this.journal.post(manager, transaction);
    await this.reversals.record(manager, payment, input, record);
    // The close allocates the escrow's tokens as the subscriber's: burned ones are no longer theirs to allocate.
    if (record.tokensBurned !== 0n) {
      await this.reversals.burnSubscriberTokens(
        manager,
        payment.escrowPeriod,
        payment.subscriberId,
        record.tokensBurned,
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
    const mint = await this.reversals.paymentMint(manager, paymentId);
    if (!mint || mint.paid === null || mint.currency === null) {
      // Identity publishes a reversal after its payment, on the same key: an unknown payment is a broken log.
      throw new Error(
        `payment ${paymentId} was never captured in this ledger: its reversal cannot be posted`,
      );
    }
    return {
      paymentId,
      subscriberId: mint.memo['subscriber'] ?? '',
      escrowPeriod: mint.period,
      paid: mint.paid,
      tokens: BigInt(mint.memo['tokens'] ?? '0'),
      currency: mint.currency,
      minted: mint.kind === 'mint',
    };
  }

  private async soFar(manager: EntityManager, paymentId: string): Promise<ReversedSoFar> {
    return (await this.reversals.reversedSoFar(manager, paymentId)) ?? { reversed: 0n, burned: 0n };
  }

  private async withdrawal(manager: EntityManager, key: string): Promise<ReversalRecord> {
    const record = await this.reversals.recordOf(manager, key);
    if (!record) throw new ReversalError('no_withdrawal', `${key} was never posted: nothing to reinstate`);
    return record;
  }
}

import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  type AllocationContext,
  type AllocationPolicy,
  allocateSubscriberStream,
  type PeriodAllocation,
  ServiceSubscriberCounts,
  type SubscriberUsage,
  toAllocationInputJson,
  toAllocationJson,
} from '@onecommons/allocation';
import { createEvent, lateUsageClosesAt, PeriodClosedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { type Posting, TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { LedgerError } from '../ledger-errors.js';
import { AllocationInputReader } from '../projections/allocation-input-reader.js';
import { CloseSettlement } from '../payables/close-settlement.js';
import { subscriberEscrow } from '../treasury/accounts.js';
import { UsageRepository, type UsageWatermark } from '../projections/usage.repository.js';
import { holdPeriodUsage } from '../projections/usage-watermark.js';
import { EscrowDebits } from './escrow-debits.js';
import { closeDuration, countPeriodClose } from './period-close-metrics.js';
import { PeriodCloseRequests } from './period-close-requests.js';
import {
  type ClosedPeriod,
  PeriodClosesRepository,
  type PeriodCloseDto,
} from './period-closes.repository.js';
import { describeUsageLag, type UsageCompleteness, usageCompleteness, usageLagOf } from './usage-lag.js';
import { UsageBeyondWatermarkError, UsageNotConsumedError } from './usage-not-consumed.error.js';

/** One try at a close: closed (by this try, or found closed), or why not yet. */
type CloseAttempt =
  | { readonly closed: PeriodCloseDto; readonly madeNow?: true }
  | { readonly completeness: UsageCompleteness; readonly watermark: UsageWatermark };

export { type ClosedPeriod, type PeriodCloseDto } from './period-closes.repository.js';

/** What a close read of its period: the allocation, each subscriber's tokens to debit, the services used. */
interface ClosingRead {
  readonly allocation: PeriodAllocation;
  readonly debits: EscrowDebits;
  readonly usedServices: Set<string>;
}

/**
 * Closes a period (docs/money-rules.md): builds its allocation input from the projections, runs the engine, and in one
 * transaction posts every subscriber's escrowed tokens to the participants' accounts, records the result and
 * announces it. Closing a closed period answers the recorded result and posts nothing.
 */
@Injectable()
export class PeriodCloser {
  private readonly logger = new Logger('PeriodCloser');

  constructor(
    private readonly dataSource: DataSource,
    private readonly journal: LedgerJournal,
    private readonly reader: AllocationInputReader,
    private readonly outbox: OutboxWriter,
    private readonly settlement: CloseSettlement,
    private readonly requests: PeriodCloseRequests,
    private readonly closes: PeriodClosesRepository,
    private readonly usage: UsageRepository,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** When a period may close without `force`: its end plus the grace for late usage. */
  closesAt(period: string): Date {
    return lateUsageClosesAt(period, this.config.LEDGER_CLOSE_GRACE_MINUTES);
  }

  /**
   * Closes the period once its usage is complete (docs/trust-rules.md). Requests the close first (metering seals the period
   * and answers with its watermark), then waits up to `waitSeconds` (LEDGER_CLOSE_WAIT_SECONDS) for the ledger to
   * have applied what metering announced; after that answers 409 usage_not_consumed, and the scheduler closes it
   * once caught up.
   */
  async close(
    period: string,
    { force = false, now = new Date(), waitSeconds = this.config.LEDGER_CLOSE_WAIT_SECONDS } = {},
  ): Promise<PeriodCloseDto> {
    const closed = await this.summary(period);
    if (closed) return closed;
    if (!force && now < this.closesAt(period))
      throw LedgerError.conflict(
        'period_not_ended',
        `${period} can close from ${this.closesAt(period).toISOString()} (its end plus the late-usage grace); force closes it now`,
        'period',
      );
    await this.dataSource.transaction((manager) => this.requests.requestWithin(manager, period, force, now));
    const deadline = Date.now() + waitSeconds * 1000;
    for (let poll = 0; ; poll += 1) {
      const attempt = await this.attempt(period, force);
      if ('closed' in attempt) return attempt.closed;
      const lag = usageLagOf(attempt.watermark);
      if (attempt.completeness === 'beyond_watermark') {
        countPeriodClose('usage_beyond_watermark');
        this.logger.error(`refusing to close ${period}: ${describeUsageLag(period, lag)}`);
        throw new UsageBeyondWatermarkError(period, lag);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        countPeriodClose('usage_not_consumed');
        throw new UsageNotConsumedError(period, lag);
      }
      await sleep(Math.min(remaining, 250 * 2 ** Math.min(poll, 2)));
    }
  }

  /**
   * One try: closes when the usage is complete. The check and the snapshot of the usage happen under the period's
   * usage lock (no UsageRecorded of the period is applied in between), in one transaction; the journal lock is
   * taken only to post (`closeWithin` reading beside the journal), so mints and refunds do not wait for the read.
   */
  private async attempt(period: string, forced: boolean): Promise<CloseAttempt> {
    const closed = await this.summary(period);
    if (closed) return { closed };
    // Waiting reads without locks; the locks are taken only to close.
    const seen = await this.usage.watermark(this.dataSource.manager, period);
    if (usageCompleteness(seen) !== 'complete')
      return { completeness: usageCompleteness(seen), watermark: seen };
    const started = process.hrtime.bigint();
    const timer = closeDuration().startTimer();
    let outcome: CloseAttempt;
    try {
      outcome = await this.dataSource.transaction(async (manager): Promise<CloseAttempt> => {
        await holdPeriodUsage(manager, period, 'close');
        const already = await this.summary(period, manager);
        if (already) return { closed: already };
        const watermark = await this.usage.watermark(manager, period);
        const completeness = usageCompleteness(watermark);
        if (completeness !== 'complete') return { completeness, watermark };
        return {
          closed: await this.closeWithin(manager, period, forced, { readBesideJournal: true }),
          madeNow: true,
        };
      });
    } catch (error) {
      countPeriodClose('failed');
      throw error;
    }
    // Closed by this call, not found closed by another (the scheduler and an admin may race).
    if (!('madeNow' in outcome)) return outcome;
    timer();
    countPeriodClose('succeeded');
    this.logger.log(
      `closed ${period}: ${outcome.closed.total} uCC, root ${outcome.closed.merkleRoot} in ${Number(process.hrtime.bigint() - started) / 1e6} ms`,
    );
    return outcome;
  }

  /** A recorded close's whole input in the vectors' format, held at once: for statements and adjustments. */
  async closedInput(manager: EntityManager, closed: ClosedPeriod): Promise<Record<string, unknown>> {
    const usage = await this.closes.closedUsage(manager, closed);
    return {
      ...closed.input,
      subscribers: await this.closes.closedSubscribers(manager, closed),
      usage,
    };
  }

  /** The recorded result without its input and allocation (which can be large). */
  private summary(
    period: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<PeriodCloseDto | null> {
    return this.closes.summary(manager, period);
  }

  find(period: string, manager: EntityManager = this.dataSource.manager): Promise<ClosedPeriod | null> {
    return this.closes.find(manager, period);
  }

  /**
   * The close inside the caller's transaction, on the usage applied so far: `close` calls it once the usage is
   * complete; a replay recomputes a recorded close with it from the ledger's own log (never waiting for metering).
   *
   * The usage lock orders it with every apply of the period's usage: what it reads is exactly what was applied.
   * The journal lock orders it with every mint and refund. A replay holds that lock throughout. A live close
   * (`readBesideJournal`) reads the period in a snapshot of its own, then takes the lock to post. If a mint or
   * refund posted to one of the period's escrows since that snapshot, it reads again under the lock.
   */
  async closeWithin(
    manager: EntityManager,
    period: string,
    forced: boolean,
    { readBesideJournal = false }: { readBesideJournal?: boolean } = {},
  ): Promise<PeriodCloseDto> {
    if (!readBesideJournal) await this.journal.lock(manager);
    await holdPeriodUsage(manager, period, 'close');
    const already = await this.summary(period, manager);
    if (already) return already;
    const context = await this.reader.context(manager, period, this.policy());
    let read: ClosingRead;
    if (readBesideJournal) {
      const beside = await this.allocateInSnapshot(context);
      await this.journal.lock(manager);
      read = (await this.closes.escrowsPostedSince(manager, period, beside.journalSeq))
        ? await this.allocate(manager, context)
        : beside;
    } else {
      read = await this.allocate(manager, context);
    }
    const { allocation, debits, usedServices } = read;
    if (allocation.total > 0n)
      await this.journal.postStreamed(manager, {
        key: closeKeyOf(period),
        kind: 'period_close',
        period,
        memo: { merkleRoot: allocation.merkleRoot, total: allocation.total.toString() },
        postings: closePostings(debits, period, allocation),
      });
    // The input as recorded: the catalog facts it used; its subscribers and usage rows are the period's frozen rows.
    const input = {
      ...context,
      services: context.services.filter((service) => usedServices.has(service.id)),
      subscribers: [],
      usage: [],
    };
    const stored = await this.closes.record(manager, {
      period,
      total: allocation.total,
      merkleRoot: allocation.merkleRoot,
      input: toAllocationInputJson(input),
      allocation: toAllocationJson(allocation),
      forced,
    });
    const closed = { ...stored, closedAt: stored.closedAt.toISOString() };
    // After the close is recorded (the escrow rule reads earlier closes' allocations, this one's included); the
    // redemptions' events go out before the close's, on the same key: consumers see every credit first.
    const settled = await this.settlement.settleWithin(manager, input, allocation);
    await this.outbox.append(manager, [
      ...settled,
      createEvent(
        PeriodClosedV1,
        {
          period,
          total: closed.total,
          merkleRoot: closed.merkleRoot,
          accounts: allocation.allocations.length,
          subscribers: debits.size,
          closedAt: closed.closedAt,
        },
        { source: '/onecommons/ledger' },
      ),
    ]);
    return { period: closed.period, status: 'closed', total: closed.total, merkleRoot: closed.merkleRoot };
  }

  /**
   * Allocates the period streaming its paying subscribers (each with its rows on known services and meters, as
   * the recorded input names them); keeps each subscriber's tokens for the escrow debits and the services their
   * rows name.
   */
  private async allocate(manager: EntityManager, context: AllocationContext): Promise<ClosingRead> {
    const known = new Set(context.services.map((service) => service.id));
    let debits = new EscrowDebits();
    let usedServices = new Set<string>();
    const projection = this.usage;
    const allocation = await allocateSubscriberStream(
      context,
      async function* (): AsyncGenerator<SubscriberUsage> {
        debits = new EscrowDebits();
        usedServices = new Set();
        for await (const subscriber of projection.payingSubscribers(manager, context.period)) {
          const usage = subscriber.usage.filter(
            (row) => known.has(row.service) && context.meters.has(row.meter),
          );
          for (const row of usage) usedServices.add(row.service);
          debits.add(subscriber.id, subscriber.tokens);
          yield { tokens: subscriber.tokens, usage };
        }
      },
      { expectedThinServices: await this.expectedThinServices(manager, context) },
    );
    return { allocation, debits, usedServices };
  }

  /**
   * `allocate` on a connection of its own, in one read-only snapshot that also gives the journal's last sequence
   * number it contains: the caller holds no journal lock meanwhile.
   */
  private async allocateInSnapshot(
    context: AllocationContext,
  ): Promise<ClosingRead & { journalSeq: bigint }> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      // The snapshot is taken here, at the transaction's first read: the sequence and the period's rows are one state.
      const journalSeq = await this.closes.journalHead(runner.manager);
      const read = await this.allocate(runner.manager, context);
      await runner.commitTransaction();
      return { ...read, journalSeq };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  }

  /** With a minimum of subscribers per service: the services it drops, as Postgres counts them (one pass, not two). */
  private async expectedThinServices(
    manager: EntityManager,
    context: AllocationContext,
  ): Promise<ReadonlySet<string> | undefined> {
    const minimum = context.policy.minSubscribersPerService;
    if (minimum === null) return undefined;
    const counts = new ServiceSubscriberCounts();
    // The engine counts again as it streams and runs a second pass should the two disagree.
    const perService = await this.usage.payingSubscribersPerService(
      manager,
      context.period,
      context.services.map((service) => service.id),
      [...context.meters].filter(([, weight]) => weight > 0n).map(([meter]) => meter),
    );
    // A cap of 0 leaves no one any weight: nobody counts.
    if (context.policy.capWeightPerService !== 0n)
      for (const [service, subscribers] of perService) counts.add(service, subscribers);
    return counts.thinServices(minimum);
  }

  private policy(): AllocationPolicy {
    const config = this.config;
    return {
      generalFundBps: BigInt(config.LEDGER_GENERAL_FUND_BPS),
      maxDependencyDepth: config.LEDGER_MAX_DEPENDENCY_DEPTH,
      capWeightPerService:
        config.LEDGER_CAP_WEIGHT_PER_SERVICE === null ? null : BigInt(config.LEDGER_CAP_WEIGHT_PER_SERVICE),
      minSubscribersPerService:
        config.LEDGER_MIN_SUBSCRIBERS_PER_SERVICE === null
          ? null
          : BigInt(config.LEDGER_MIN_SUBSCRIBERS_PER_SERVICE),
    };
  }
}

/** The journal key of a period's close transaction. */
export const closeKeyOf = (period: string): string => `close:${period}`;

/** The close's postings, in line order: every paying subscriber's escrow emptied, then the allocation's credits. */
function* closePostings(
  debits: EscrowDebits,
  period: string,
  allocation: PeriodAllocation,
): Generator<Posting> {
  for (const { subscriberId, tokens } of debits)
    yield { account: subscriberEscrow(subscriberId, period), unit: TOKEN_UNIT, amount: -tokens };
  for (const row of allocation.allocations)
    yield { account: row.account, unit: TOKEN_UNIT, amount: row.amount };
}

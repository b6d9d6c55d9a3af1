import { Injectable, Logger } from '@nestjs/common';
import { allocatePeriod, parseAllocationInput, toAllocationJson } from '@onecommons/allocation';
import {
  type CloudEvent,
  createEvent,
  PayableAdjustedV1,
  PeriodAdjustedV1,
  periodOf,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { LedgerJournal } from '../journal/ledger-journal.js';
import { type LedgerTransaction } from '../journal/ledger-transaction.js';
import { LedgerError } from '../ledger-errors.js';
import { PayeePreferences } from '../payables/payee-preferences.js';
import { firstOpenPeriod } from '../periods/open-periods.js';
import { type ClosedPeriod, PeriodCloser } from '../periods/period-closer.js';
import { PeriodClosesRepository } from '../periods/period-closes.repository.js';
import { AllocationInputReader } from '../projections/allocation-input-reader.js';
import { PeriodPrices } from '../treasury/period-prices.js';
import { type Price } from '../treasury/treasury-math.js';
import { Treasury } from '../treasury/treasury.js';
import {
  ADJUSTMENT_KIND,
  type AdjustmentPlan,
  allocationDifferences,
  type AllocationDifference,
  type LedgerState,
  planAdjustment,
} from './adjustment-plan.js';
import { adjustmentDto } from './adjustment-views.js';
import { correctedInput, type UsageCorrection } from './corrected-input.js';
import { type PeriodAdjustment, PeriodAdjustmentsRepository } from './period-adjustments.repository.js';

const SOURCE = { source: '/onecommons/ledger' };

export interface AdjustmentRequest {
  readonly reason: string;
  /** An admin's account id, or `cli:<user>`. */
  readonly adjustedBy: string;
  readonly at?: Date;
}

/** What a replay of the ledger's own log re-does: exactly the adjustment it recorded. */
export interface RecordedAdjustment extends Required<AdjustmentRequest> {
  readonly sequence: number;
  readonly corrections: readonly {
    readonly serviceId: string;
    readonly source: string;
    readonly id: string;
  }[];
  readonly postedIn: string;
  readonly price: Price;
}

export type AdjustOutcome =
  | { readonly outcome: 'adjusted'; readonly adjustment: PeriodAdjustment }
  /** No correction is waiting: nothing posted; the latest adjustment, if any. */
  | { readonly outcome: 'nothing_to_adjust'; readonly adjustment: PeriodAdjustment | null };

export const adjustmentKey = (period: string, sequence: number): string => `adjust:${period}:${sequence}`;

/**
 * Adjusts a closed period (docs/trust-rules.md "nothing closed is rewritten"): recomputes its allocation with
 * `allocatePeriod` on the close's own input (same terms and policy) with every correction so far applied, and
 * posts only the difference to the period's latest allocation (its close or previous adjustment) as one new
 * transaction in the current open period. Under the journal lock: concurrent requests adjust once, and a request
 * with no new correction posts nothing.
 */
@Injectable()
export class PeriodAdjuster {
  private readonly logger = new Logger('PeriodAdjuster');

  constructor(
    private readonly dataSource: DataSource,
    private readonly journal: LedgerJournal,
    private readonly closer: PeriodCloser,
    private readonly reader: AllocationInputReader,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly prices: PeriodPrices,
    private readonly preferences: PayeePreferences,
    private readonly treasury: Treasury,
    private readonly outbox: OutboxWriter,
    private readonly closes: PeriodClosesRepository,
  ) {}

  async adjust(period: string, request: AdjustmentRequest): Promise<AdjustOutcome> {
    const result = await this.dataSource.transaction((manager) =>
      this.adjustWithin(manager, period, request),
    );
    if (result.outcome === 'adjusted') {
      const { sequence, postedIn, merkleRoot, transactionKey } = result.adjustment;
      this.logger.log(
        `adjusted ${period} (#${sequence}): root ${merkleRoot}, ${transactionKey ? `posted in ${postedIn}` : 'nothing changed'}`,
      );
    }
    return result;
  }

  /** In the caller's transaction; `recorded` re-does a logged adjustment (replay) instead of a new one. */
  async adjustWithin(
    manager: EntityManager,
    period: string,
    request: AdjustmentRequest | RecordedAdjustment,
  ): Promise<AdjustOutcome> {
    const recorded = 'sequence' in request ? request : null;
    await this.journal.lock(manager);
    const closed = await this.closer.find(period, manager);
    if (!closed)
      throw LedgerError.conflict(
        'period_open',
        `${period} is not closed: its corrections wait for its close, then an adjustment`,
        'period',
      );
    const latest = await this.adjustments.latest(manager, period);
    const fresh = recorded
      ? await this.adjustments.byIdentity(manager, period, recorded.corrections)
      : await this.adjustments.pending(manager, period);
    if (fresh.length === 0) return { outcome: 'nothing_to_adjust', adjustment: latest };
    const sequence = (latest?.sequence ?? 0) + 1;
    if (recorded && (recorded.sequence !== sequence || fresh.length !== recorded.corrections.length))
      throw new Error(
        `adjustment ${sequence} of ${period} cannot be re-done as logged (#${recorded.sequence}, ` +
          `${fresh.length} of ${recorded.corrections.length} corrections known)`,
      );

    const { allocation, outcomes } = await this.recompute(manager, closed, fresh);
    const previous = latest?.allocation ?? closed.allocation;
    const differences = allocationDifferences(
      previous.allocations.map((row) => ({ account: row.account, amount: BigInt(row.amount) })),
      allocation.allocations,
    );
    const at = request.at ?? new Date();
    const postedIn =
      recorded?.postedIn ??
      (await firstOpenPeriod((candidate) => this.closes.isClosed(manager, candidate), periodOf(at)));
    const price = recorded?.price ?? (await this.prices.valuation(manager));
    const plan = planAdjustment(differences, await this.ledgerState(manager, differences, price));
    const transactionKey = plan.postings.length > 0 ? adjustmentKey(period, sequence) : null;
    if (transactionKey)
      await this.postDifference(manager, {
        key: transactionKey,
        period: postedIn,
        memo: {
          adjustedPeriod: period,
          sequence: String(sequence),
          merkleRoot: allocation.merkleRoot,
          previousMerkleRoot: previous.merkleRoot,
          price: `${price.num}/${price.den}`,
          reason: request.reason,
        },
        postings: plan.postings,
      });
    const freshOutcomes = outcomes.filter((outcome) => fresh.includes(outcome.correction));
    const adjustment: PeriodAdjustment = {
      period,
      sequence,
      postedIn,
      transactionKey,
      total: allocation.total.toString(),
      merkleRoot: allocation.merkleRoot,
      previousMerkleRoot: previous.merkleRoot,
      allocation: toAllocationJson(allocation),
      differences: plan.differences.map((row) => ({ account: row.account, tokens: row.tokens.toString() })),
      payables: plan.payables.map((row) => ({
        payee: row.payee,
        tokens: row.tokens.toString(),
        amountMinor: row.amountMinor.toString(),
      })),
      price,
      reason: request.reason,
      adjustedBy: request.adjustedBy,
      adjustedAt: at,
      corrections: freshOutcomes.map((outcome) => ({
        ...outcome.correction,
        notApplied: outcome.notApplied,
      })),
    };
    await this.adjustments.insert(manager, adjustment, freshOutcomes);
    await this.outbox.append(manager, this.events(adjustment, plan));
    return { outcome: 'adjusted', adjustment };
  }

  /** The difference as one transaction of the posting period's journal; the reserve must still cover every token. */
  private async postDifference(
    manager: EntityManager,
    transaction: Omit<LedgerTransaction, 'kind'>,
  ): Promise<void> {
    await this.journal.post(manager, { ...transaction, kind: ADJUSTMENT_KIND });
    await this.treasury.assertReserveCovers(manager);
  }

  /** The close's input with every correction applied so far and the fresh ones, allocated. */
  private async recompute(manager: EntityManager, closed: ClosedPeriod, fresh: readonly UsageCorrection[]) {
    const head = parseAllocationInput(await this.closer.closedInput(manager, closed));
    if (!head.ok)
      throw new Error(`the recorded input of ${closed.period} does not parse: ${head.error.reason}`);
    const corrections = [...(await this.adjustments.applied(manager, closed.period)), ...fresh];
    const closeServices = new Set(head.input.services.map((service) => service.id));
    const others = await this.reader.servicesInForce(manager, closed.period, [
      ...new Set(corrections.map((row) => row.serviceId).filter((id) => !closeServices.has(id))),
    ]);
    const corrected = correctedInput(head.input, corrections, [...head.input.services, ...others]);
    return { allocation: allocatePeriod(corrected.input), outcomes: corrected.outcomes };
  }

  private async ledgerState(
    manager: EntityManager,
    differences: readonly AllocationDifference[],
    price: Price,
  ): Promise<LedgerState> {
    const escrowReleases = await this.adjustments.escrowReleases(
      manager,
      differences
        .filter((row) => row.account.startsWith('escrow:') && row.tokens < 0n)
        .map((row) => row.account),
    );
    const accounts = [
      ...differences.map((row) => row.account),
      ...[...escrowReleases.values()].flat().map((row) => row.account),
    ];
    return {
      tokenBalances: await this.adjustments.tokenBalances(manager, accounts),
      optedOut: await this.preferences.optedOut(manager),
      escrowReleases,
      price,
      currency: this.treasury.currency,
    };
  }

  /** Payouts learns each payee's change first (keyed by the posting period, before its close), then the adjustment. */
  private events(adjustment: PeriodAdjustment, plan: AdjustmentPlan): CloudEvent<unknown>[] {
    const {
      differences: _differences,
      payables: _payables,
      corrections,
      ...summary
    } = adjustmentDto(adjustment);
    return [
      ...plan.payables.map(
        (change) =>
          createEvent(
            PayableAdjustedV1,
            {
              adjustmentKey: adjustmentKey(adjustment.period, adjustment.sequence),
              payee: change.payee,
              period: adjustment.postedIn,
              adjustedPeriod: adjustment.period,
              sequence: adjustment.sequence,
              tokens: change.tokens.toString(),
              amountMinor: change.amountMinor.toString(),
              currency: this.treasury.currency,
              price: summary.price,
              merkleRoot: adjustment.merkleRoot,
              reason: adjustment.reason,
              corrections: corrections.map((row) => ({
                serviceId: row.service,
                meter: row.meter,
                delta: row.delta,
                source: row.correction.source,
                id: row.correction.id,
              })),
            },
            SOURCE,
          ) as CloudEvent<unknown>,
      ),
      createEvent(
        PeriodAdjustedV1,
        {
          ...summary,
          corrections: corrections.map((row) => ({ serviceId: row.service, ...row.correction })),
        },
        SOURCE,
      ) as CloudEvent<unknown>,
    ];
  }
}

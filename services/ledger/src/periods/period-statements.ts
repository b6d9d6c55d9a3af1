import { Injectable } from '@nestjs/common';
import {
  merkleProof,
  type MerkleProofStep,
  parseAllocationInput,
  tracePeriod,
  traceSubscriber,
  type AllocationInput,
  type PeriodAllocationJson,
} from '@onecommons/allocation';
import { type Principal } from '@onecommons/auth';
import { DataSource } from 'typeorm';
import { type CorrectionDto, correctionDto } from '../adjustments/adjustment-views.js';
import { PeriodAdjustmentsRepository } from '../adjustments/period-adjustments.repository.js';
import { LedgerError } from '../ledger-errors.js';
import { type SubscriberReversalDto, subscriberReversalDto } from '../reversals/reversal-statement.js';
import { ReversalsRepository } from '../reversals/reversals.repository.js';
import { subscriberEscrow } from '../treasury/accounts.js';
import { EarningsVisibility } from './earnings-visibility.js';
import { type ClosedPeriod, closeKeyOf, PeriodCloser } from './period-closer.js';
import { type LedgerEntryRef, StatementEntriesRepository } from './statement-entries.repository.js';
import {
  type AccountStatementLineDto,
  accountStatementLines,
  type SubscriberServiceDto,
  subscriberServiceLines,
} from './statement-lines.js';

export interface SubscriberStatementDto {
  readonly subscriber: string;
  readonly period: string;
  /** uCC the subscriber's fee minted for the period. */
  readonly tokens: string;
  readonly generalFund: string;
  /**
   * Per service used, with the subscriber's own usage weight: the tokens it received, then the period's rules
   * applied to them alone (providers, operator, project, dependencies, members). generalFund plus every service's
   * credits and recipients is exactly `tokens`.
   */
  readonly services: readonly SubscriberServiceDto[];
  /** Refunds and disputes of the payments that funded the period, with their reasons and effects. */
  readonly reversals: readonly SubscriberReversalDto[];
  /** The journal entries of the subscriber's escrow for the period: its mints, refunds and the close's debit. */
  readonly ledgerEntries: readonly LedgerEntryRef[];
  /** The root the period's allocation is published under (`GET /transparency/{period}`). */
  readonly merkleRoot: string;
}

export interface AccountStatementDto {
  readonly account: string;
  readonly period: string;
  readonly amount: string;
  /** For provider and operator accounts: the services the amount came from. */
  readonly sources: readonly { readonly service: string; readonly amount: string }[];
  /**
   * The amount down to usage: by service, role and dependency level, with each service's aggregated usage; the
   * lines sum to `amount` (docs/statements.md).
   */
  readonly lines: readonly AccountStatementLineDto[];
  /** The account's entries from this allocation: its credit in the close, then each adjustment's. */
  readonly ledgerEntries: readonly LedgerEntryRef[];
  /** The Merkle proof of the account's row: `key:amount` hashed, then the siblings up to the root. */
  readonly proof: { readonly steps: readonly MerkleProofStep[] };
  readonly merkleRoot: string;
  /** Each adjustment of the closed period that changed the account's amount, oldest first. */
  readonly adjustments: readonly AccountAdjustmentDto[];
}

export interface AccountAdjustmentDto {
  readonly sequence: number;
  /** The open period whose journal carries the difference. */
  readonly postedIn: string;
  /** The account's row in the adjusted allocation, with its proof against the adjustment's root. */
  readonly amount: string;
  readonly difference: string;
  readonly proof: { readonly steps: readonly MerkleProofStep[] };
  readonly merkleRoot: string;
  readonly reason: string;
  readonly adjustedAt: string;
  /** The usage corrections the adjustment applied. */
  readonly corrections: readonly CorrectionDto[];
}

/** Statements of closed periods, from exactly the input and output the close recorded. */
@Injectable()
export class PeriodStatements {
  constructor(
    private readonly closer: PeriodCloser,
    private readonly visibility: EarningsVisibility,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly dataSource: DataSource,
    private readonly reversals: ReversalsRepository,
    private readonly entries: StatementEntriesRepository,
  ) {}

  async closed(period: string): Promise<ClosedPeriod> {
    const closed = await this.closer.find(period);
    if (!closed) throw LedgerError.conflict('period_open', `${period} is not closed yet`, 'period');
    return closed;
  }

  async subscriber(subscriberId: string, period: string): Promise<SubscriberStatementDto> {
    const closed = await this.closed(period);
    const input = await this.inputOf(closed);
    const { manager } = this.dataSource;
    // The reversals of the payments that funded the subscriber's escrow for the period, in the order posted.
    const reversals = (await this.reversals.ofEscrow(manager, subscriberId, period)).map(
      subscriberReversalDto,
    );
    // A fee refunded in full before the close left no tokens: its statement is the refund.
    const trace =
      traceSubscriber(input, subscriberId) ??
      (reversals.length > 0 ? { subscriber: subscriberId, tokens: 0n, fund: 0n, services: [] } : null);
    if (!trace) throw LedgerError.notFound('no_tokens', `the subscriber had no tokens in ${period}`);
    const ledgerEntries = await this.entries.accountEntries(manager, subscriberEscrow(subscriberId, period));
    const closeDebit = ledgerEntries.find((entry) => entry.transaction === closeKeyOf(period));
    return {
      subscriber: subscriberId,
      period,
      tokens: trace.tokens.toString(),
      generalFund: trace.fund.toString(),
      services: subscriberServiceLines(trace, closeDebit),
      reversals,
      ledgerEntries,
      merkleRoot: closed.merkleRoot,
    };
  }

  async account(principal: Principal, account: string, period: string): Promise<AccountStatementDto> {
    await this.visibility.assertMayRead(principal, account);
    const closed = await this.closed(period);
    const rows = rowsOf(closed.allocation);
    const row = rows.find((candidate) => candidate.account === account);
    const adjustments = await this.adjustmentsOf(account, period);
    if (!row && adjustments.length === 0)
      throw LedgerError.notFound('no_allocation', `${account} received nothing in ${period}`);
    const trace = tracePeriod(await this.inputOf(closed));
    const sources =
      account.startsWith('provider:') || account.startsWith('operator:')
        ? trace.services.flatMap((statement) =>
            statement.credits
              .filter((credit) => credit.account === account)
              .map((credit) => ({ service: statement.service, amount: credit.amount.toString() })),
          )
        : [];
    const ledgerEntries = await this.entries.allocationEntries(this.dataSource.manager, account, period);
    const closeCredit = ledgerEntries.find((entry) => entry.transaction === closeKeyOf(period));
    return {
      account,
      period,
      amount: (row?.amount ?? 0n).toString(),
      sources,
      lines: row ? accountStatementLines(trace, account, closeCredit) : [],
      ledgerEntries,
      proof: { steps: merkleProof(rows, account)?.steps ?? [] },
      merkleRoot: closed.merkleRoot,
      adjustments,
    };
  }

  private async adjustmentsOf(account: string, period: string): Promise<AccountAdjustmentDto[]> {
    const adjustments = await this.adjustments.list(this.dataSource.manager, period);
    return adjustments.flatMap((adjustment) => {
      const difference = adjustment.differences.find((row) => row.account === account);
      if (!difference) return [];
      const rows = rowsOf(adjustment.allocation);
      return [
        {
          sequence: adjustment.sequence,
          postedIn: adjustment.postedIn,
          amount: (rows.find((candidate) => candidate.account === account)?.amount ?? 0n).toString(),
          difference: difference.tokens,
          proof: { steps: merkleProof(rows, account)?.steps ?? [] },
          merkleRoot: adjustment.merkleRoot,
          reason: adjustment.reason,
          adjustedAt: adjustment.adjustedAt.toISOString(),
          corrections: adjustment.corrections.map(correctionDto),
        },
      ];
    });
  }

  private async inputOf(closed: ClosedPeriod): Promise<AllocationInput> {
    const parsed = parseAllocationInput(await this.closer.closedInput(this.dataSource.manager, closed));
    if (!parsed.ok)
      throw new Error(`the recorded input of ${closed.period} does not parse: ${parsed.error.reason}`);
    return parsed.input;
  }
}

const rowsOf = (allocation: PeriodAllocationJson) =>
  allocation.allocations.map((row) => ({ account: row.account, amount: BigInt(row.amount) }));

import { Injectable } from '@nestjs/common';
import {
  merkleProof,
  type MerkleProofStep,
  parseAllocationInput,
  serviceStatements,
  subscriberSplit,
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
import { EarningsVisibility } from './earnings-visibility.js';
import { type ClosedPeriod, PeriodCloser } from './period-closer.js';

export interface SubscriberStatementDto {
  readonly subscriber: string;
  readonly period: string;
  /** uCC the subscriber's fee minted for the period. */
  readonly tokens: string;
  readonly generalFund: string;
  /** Per service used: the subscriber's tokens it received, and how the service's share split by role. */
  readonly services: readonly {
    readonly service: string;
    readonly amount: string;
    /** Role shares of this amount in the proportions the service's whole share split (rounding is per service). */
    readonly roles: { readonly providers: string; readonly operator: string; readonly developers: string };
  }[];
  /** Refunds and disputes of the payments that funded the period, with their reasons and effects. */
  readonly reversals: readonly SubscriberReversalDto[];
}

export interface AccountStatementDto {
  readonly account: string;
  readonly period: string;
  readonly amount: string;
  /** For provider and operator accounts: the services the amount came from. */
  readonly sources: readonly { readonly service: string; readonly amount: string }[];
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

const noTokens = { tokens: 0n, fund: 0n, services: [] as { service: string; amount: bigint }[] };

/** Statements of closed periods, from exactly the input and output the close recorded. */
@Injectable()
export class PeriodStatements {
  constructor(
    private readonly closer: PeriodCloser,
    private readonly visibility: EarningsVisibility,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly dataSource: DataSource,
    private readonly reversals: ReversalsRepository,
  ) {}

  async closed(period: string): Promise<ClosedPeriod> {
    const closed = await this.closer.find(period);
    if (!closed) throw LedgerError.conflict('period_open', `${period} is not closed yet`, 'period');
    return closed;
  }

  async subscriber(subscriberId: string, period: string): Promise<SubscriberStatementDto> {
    const input = await this.inputOf(await this.closed(period));
    // The reversals of the payments that funded the subscriber's escrow for the period, in the order posted.
    const reversals = (await this.reversals.ofEscrow(this.dataSource.manager, subscriberId, period)).map(
      subscriberReversalDto,
    );
    // A fee refunded in full before the close left no tokens: its statement is the refund.
    const split = subscriberSplit(input, subscriberId) ?? (reversals.length > 0 ? noTokens : null);
    if (!split) throw LedgerError.notFound('no_tokens', `the subscriber had no tokens in ${period}`);
    const byService = new Map(serviceStatements(input).map((statement) => [statement.service, statement]));
    return {
      subscriber: subscriberId,
      period,
      tokens: split.tokens.toString(),
      generalFund: split.fund.toString(),
      reversals,
      services: split.services.map(({ service, amount }) => {
        const whole = byService.get(service);
        const share = (part: bigint) => (whole && whole.amount > 0n ? (amount * part) / whole.amount : 0n);
        const providers = (whole?.credits ?? [])
          .filter((credit) => credit.account.startsWith('provider:'))
          .reduce((sum, credit) => sum + credit.amount, 0n);
        const developers = whole?.developer?.amount ?? 0n;
        const providerShare = share(providers);
        const developerShare = share(developers);
        return {
          service,
          amount: amount.toString(),
          roles: {
            providers: providerShare.toString(),
            operator: (amount - providerShare - developerShare).toString(),
            developers: developerShare.toString(),
          },
        };
      }),
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
    const sources =
      account.startsWith('provider:') || account.startsWith('operator:')
        ? serviceStatements(await this.inputOf(closed)).flatMap((statement) =>
            statement.credits
              .filter((credit) => credit.account === account)
              .map((credit) => ({ service: statement.service, amount: credit.amount.toString() })),
          )
        : [];
    return {
      account,
      period,
      amount: (row?.amount ?? 0n).toString(),
      sources,
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

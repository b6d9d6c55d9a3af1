import { Injectable } from '@nestjs/common';
import { type PeriodAllocationJson } from '@onecommons/allocation';
import { bigintText, queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { TOKEN_UNIT } from '../journal/ledger-transaction.js';
import { allocationJsonColumn, wholeNumberText } from '../periods/period-closes.repository.js';
import { type Price } from '../treasury/treasury-math.js';
import { type AllocationRow } from './adjustment-plan.js';
import {
  type CorrectionOutcome,
  NOT_APPLIED_REASONS,
  type NotAppliedReason,
  type UsageCorrection,
} from './corrected-input.js';

/** A stored adjustment of a closed period. */
export interface PeriodAdjustment {
  readonly period: string;
  readonly sequence: number;
  readonly postedIn: string;
  readonly transactionKey: string | null;
  readonly total: string;
  readonly merkleRoot: string;
  readonly previousMerkleRoot: string;
  readonly allocation: PeriodAllocationJson;
  readonly differences: readonly { readonly account: string; readonly tokens: string }[];
  readonly payables: readonly {
    readonly payee: string;
    readonly tokens: string;
    readonly amountMinor: string;
  }[];
  readonly price: Price;
  readonly reason: string;
  readonly adjustedBy: string;
  readonly adjustedAt: Date;
  readonly corrections: readonly AppliedCorrection[];
}

export interface AppliedCorrection extends UsageCorrection {
  readonly notApplied: NotAppliedReason | null;
}

/** A correction's columns (`CORRECTION_COLUMNS`, or one element of the adjustment's `corrections`). */
const correctionColumns = z.object({
  service_id: z.string(),
  correction_source: z.string(),
  correction_id: z.string(),
  subscriber_id: z.string(),
  meter: z.string(),
  delta: bigintText,
});

const correctionOf = (row: z.output<typeof correctionColumns>): UsageCorrection => ({
  serviceId: row.service_id,
  source: row.correction_source,
  id: row.correction_id,
  subscriberId: row.subscriber_id,
  meter: row.meter,
  delta: row.delta,
});

const correctionRow = correctionColumns.transform(correctionOf);

const appliedCorrectionRow = correctionColumns
  .extend({ not_applied_reason: z.enum(NOT_APPLIED_REASONS).nullable() })
  .transform((row): AppliedCorrection => ({ ...correctionOf(row), notApplied: row.not_applied_reason }));

const adjustmentRow = z
  .object({
    period: z.string(),
    sequence: z.number().int(),
    posted_in: z.string(),
    transaction_key: z.string().nullable(),
    total: wholeNumberText,
    merkle_root: z.string(),
    previous_merkle_root: z.string(),
    allocation: allocationJsonColumn,
    differences: z.array(z.object({ account: z.string(), tokens: wholeNumberText })),
    payables: z.array(z.object({ payee: z.string(), tokens: wholeNumberText, amountMinor: wholeNumberText })),
    price_num: bigintText,
    price_den: bigintText,
    reason: z.string(),
    adjusted_by: z.string(),
    adjusted_at: z.date(),
    corrections: z.array(appliedCorrectionRow),
  })
  .transform((row): PeriodAdjustment => ({
    period: row.period,
    sequence: row.sequence,
    postedIn: row.posted_in,
    transactionKey: row.transaction_key,
    total: row.total,
    merkleRoot: row.merkle_root,
    previousMerkleRoot: row.previous_merkle_root,
    allocation: row.allocation,
    differences: row.differences,
    payables: row.payables,
    price: { num: row.price_num, den: row.price_den },
    reason: row.reason,
    adjustedBy: row.adjusted_by,
    adjustedAt: row.adjusted_at,
    corrections: row.corrections,
  }));

const countRow = z.object({ n: z.number().int() });

const escrowReleaseRow = z.object({ escrow: z.string(), account: z.string(), amount: bigintText });

const balanceRow = z.object({ account: z.string(), balance: bigintText });

const CORRECTION_COLUMNS = `c.service_id, c.correction_source, c.correction_id, c.subscriber_id, c.meter,
  c.delta::text AS delta`;

const ADJUSTMENT_SELECT = `
  SELECT a.period, a.sequence, a.posted_in, a.transaction_key, a.total::text AS total, a.merkle_root,
         a.previous_merkle_root, a.allocation, a.differences, a.payables, a.price_num::text AS price_num,
         a.price_den::text AS price_den, a.reason, a.adjusted_by, a.adjusted_at,
         coalesce((SELECT json_agg(json_build_object(
                     'service_id', c.service_id, 'correction_source', c.correction_source,
                     'correction_id', c.correction_id, 'subscriber_id', c.subscriber_id, 'meter', c.meter,
                     'delta', c.delta::text, 'not_applied_reason', l.not_applied_reason)
                     ORDER BY c.service_id, c.correction_source, c.correction_id)
                     FROM period_adjustment_corrections l
                     JOIN closed_period_corrections c USING (service_id, correction_source, correction_id)
                    WHERE l.period = a.period AND l.sequence = a.sequence), '[]') AS corrections
    FROM period_adjustments a`;

/**
 * Post-close corrections (closed_period_corrections) and the adjustments that apply them (period_adjustments,
 * period_adjustment_corrections), with what an adjustment reads of the journal.
 */
@Injectable()
export class PeriodAdjustmentsRepository {
  /** Stores a correction once, however often it is delivered. */
  async recordCorrection(
    manager: EntityManager,
    correction: UsageCorrection & {
      readonly period: string;
      readonly original: { readonly source: string; readonly id: string; readonly quantity: string };
      readonly correctedAt: string;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO closed_period_corrections (service_id, correction_source, correction_id, period, subscriber_id,
                                              meter, delta, original_source, original_id, original_quantity,
                                              corrected_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [
        correction.serviceId,
        correction.source,
        correction.id,
        correction.period,
        correction.subscriberId,
        correction.meter,
        correction.delta.toString(),
        correction.original.source,
        correction.original.id,
        correction.original.quantity,
        correction.correctedAt,
      ],
    );
  }

  /** The period's corrections no adjustment has applied yet. */
  async pending(manager: EntityManager, period: string): Promise<UsageCorrection[]> {
    return queryRows(
      manager,
      {
        name: 'periodAdjustments.pending',
        row: correctionRow,
        sql: `SELECT ${CORRECTION_COLUMNS} FROM closed_period_corrections c
        WHERE c.period = $1 AND NOT EXISTS (
          SELECT 1 FROM period_adjustment_corrections l
           WHERE (l.service_id, l.correction_source, l.correction_id) = (c.service_id, c.correction_source, c.correction_id))
        ORDER BY c.service_id, c.correction_source, c.correction_id`,
      },
      [period],
    );
  }

  async pendingCount(manager: EntityManager, period: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'periodAdjustments.pendingCount',
        row: countRow,
        sql: `SELECT count(*)::int AS n FROM closed_period_corrections c
        WHERE c.period = $1 AND NOT EXISTS (
          SELECT 1 FROM period_adjustment_corrections l
           WHERE (l.service_id, l.correction_source, l.correction_id) = (c.service_id, c.correction_source, c.correction_id))`,
      },
      [period],
    );
    return row.n;
  }

  /** The stored corrections with these identities (a replayed adjustment's), of the period. */
  async byIdentity(
    manager: EntityManager,
    period: string,
    identities: readonly { readonly serviceId: string; readonly source: string; readonly id: string }[],
  ): Promise<UsageCorrection[]> {
    return queryRows(
      manager,
      {
        name: 'periodAdjustments.byIdentity',
        row: correctionRow,
        sql: `SELECT ${CORRECTION_COLUMNS} FROM closed_period_corrections c
         JOIN unnest($2::uuid[], $3::text[], $4::text[]) AS k(service_id, correction_source, correction_id)
           USING (service_id, correction_source, correction_id)
        WHERE c.period = $1
        ORDER BY c.service_id, c.correction_source, c.correction_id`,
      },
      [
        period,
        identities.map((identity) => identity.serviceId),
        identities.map((identity) => identity.source),
        identities.map((identity) => identity.id),
      ],
    );
  }

  /** The corrections earlier adjustments of the period applied (each counts in every later recomputation). */
  async applied(manager: EntityManager, period: string): Promise<UsageCorrection[]> {
    return queryRows(
      manager,
      {
        name: 'periodAdjustments.applied',
        row: correctionRow,
        sql: `SELECT ${CORRECTION_COLUMNS} FROM period_adjustment_corrections l
         JOIN closed_period_corrections c USING (service_id, correction_source, correction_id)
        WHERE l.period = $1 AND l.applied
        ORDER BY c.service_id, c.correction_source, c.correction_id`,
      },
      [period],
    );
  }

  async latest(manager: EntityManager, period: string): Promise<PeriodAdjustment | null> {
    const [adjustment] = await queryRows(
      manager,
      {
        name: 'periodAdjustments.latest',
        row: adjustmentRow,
        sql: `${ADJUSTMENT_SELECT} WHERE a.period = $1 ORDER BY a.sequence DESC LIMIT 1`,
      },
      [period],
    );
    return adjustment ?? null;
  }

  async find(manager: EntityManager, period: string, sequence: number): Promise<PeriodAdjustment | null> {
    const [adjustment] = await queryRows(
      manager,
      {
        name: 'periodAdjustments.find',
        row: adjustmentRow,
        sql: `${ADJUSTMENT_SELECT} WHERE a.period = $1 AND a.sequence = $2`,
      },
      [period, sequence],
    );
    return adjustment ?? null;
  }

  /** Every adjustment of the period, first to last. */
  async list(manager: EntityManager, period: string): Promise<PeriodAdjustment[]> {
    return queryRows(
      manager,
      {
        name: 'periodAdjustments.list',
        row: adjustmentRow,
        sql: `${ADJUSTMENT_SELECT} WHERE a.period = $1 ORDER BY a.sequence`,
      },
      [period],
    );
  }

  async insert(
    manager: EntityManager,
    adjustment: Omit<PeriodAdjustment, 'corrections'>,
    outcomes: readonly CorrectionOutcome[],
  ): Promise<void> {
    await manager.query(
      `INSERT INTO period_adjustments (period, sequence, posted_in, transaction_key, total, merkle_root,
                                       previous_merkle_root, allocation, differences, payables, price_num, price_den,
                                       reason, adjusted_by, adjusted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [
        adjustment.period,
        adjustment.sequence,
        adjustment.postedIn,
        adjustment.transactionKey,
        adjustment.total,
        adjustment.merkleRoot,
        adjustment.previousMerkleRoot,
        JSON.stringify(adjustment.allocation),
        JSON.stringify(adjustment.differences),
        JSON.stringify(adjustment.payables),
        adjustment.price.num.toString(),
        adjustment.price.den.toString(),
        adjustment.reason,
        adjustment.adjustedBy,
        adjustment.adjustedAt,
      ],
    );
    await manager.query(
      `INSERT INTO period_adjustment_corrections (service_id, correction_source, correction_id, period, sequence,
                                                  applied, not_applied_reason)
       SELECT service_id, correction_source, correction_id, $1, $2, not_applied_reason IS NULL, not_applied_reason
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[])
           AS t(service_id, correction_source, correction_id, not_applied_reason)`,
      [
        adjustment.period,
        adjustment.sequence,
        outcomes.map((outcome) => outcome.correction.serviceId),
        outcomes.map((outcome) => outcome.correction.source),
        outcomes.map((outcome) => outcome.correction.id),
        outcomes.map((outcome) => outcome.notApplied),
      ],
    );
  }

  /** What each of these project escrows has released so far, per recipient (escrow releases at closes). */
  async escrowReleases(
    manager: EntityManager,
    escrows: readonly string[],
  ): Promise<Map<string, AllocationRow[]>> {
    if (escrows.length === 0) return new Map();
    const rows = await queryRows(
      manager,
      {
        name: 'periodAdjustments.escrowReleases',
        row: escrowReleaseRow,
        sql: `SELECT 'escrow:' || (t.memo ->> 'project') AS escrow, e.account, sum(e.amount)::text AS amount
         FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
        WHERE t.kind = 'escrow_release' AND 'escrow:' || (t.memo ->> 'project') = ANY($1::text[])
          AND e.unit = $2 AND e.amount > 0
        GROUP BY 1, 2 ORDER BY 1, 2`,
      },
      [escrows, TOKEN_UNIT],
    );
    const releases = new Map<string, AllocationRow[]>();
    for (const row of rows)
      releases.set(row.escrow, [
        ...(releases.get(row.escrow) ?? []),
        { account: row.account, amount: row.amount },
      ]);
    return releases;
  }

  /** The token balances of those of these accounts that have one. */
  async tokenBalances(manager: EntityManager, accounts: readonly string[]): Promise<Map<string, bigint>> {
    const rows = await queryRows(
      manager,
      {
        name: 'periodAdjustments.tokenBalances',
        row: balanceRow,
        sql: `SELECT account, balance::text AS balance FROM ledger_balances WHERE unit = $1 AND account = ANY($2::text[])`,
      },
      [TOKEN_UNIT, accounts],
    );
    return new Map(rows.map((row) => [row.account, row.balance]));
  }
}

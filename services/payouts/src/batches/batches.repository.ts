import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { accountStatusColumn, railColumn } from '../payees/payees.repository.js';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type LineOutcome, type PayeeStanding } from './payout-decision.js';

export interface BatchLine {
  readonly period: string;
  readonly payee: string;
  readonly currency: string;
  readonly availableMinor: bigint;
  readonly outcome: LineOutcome['outcome'];
  readonly reason: string | null;
  readonly payoutId: string | null;
}

export interface PayoutBatch {
  readonly period: string;
  readonly createdAt: Date;
}

export interface BatchLineTotal {
  readonly outcome: LineOutcome['outcome'];
  readonly currency: string;
  readonly payees: number;
  readonly amountMinor: bigint;
}

const periodRow = z.object({ period: z.string() });

const batchRow = z
  .object({ period: z.string(), created_at: z.date() })
  .transform((row): PayoutBatch => ({ period: row.period, createdAt: row.created_at }));

const lineTotalRow = z
  .object({
    outcome: z.enum(['paid', 'carried', 'held']),
    currency: z.string(),
    payees: z.number().int(),
    amount: bigintText,
  })
  .transform((row): BatchLineTotal => ({
    outcome: row.outcome,
    currency: row.currency,
    payees: row.payees,
    amountMinor: row.amount,
  }));

const NO_STANDING: PayeeStanding = { ownThresholdMinor: null, account: null, holdReason: null };

/** The account's columns come from a LEFT JOIN of NOT NULL columns: all null (no active account) or all set. */
const standingRow = z
  .object({
    threshold_minor: bigintText.nullable(),
    account_id: z.string().nullable(),
    rail: railColumn.nullable(),
    account_status: accountStatusColumn.nullable(),
    hold_reason: z.string().nullable(),
  })
  .refine(
    (row) =>
      (row.account_id === null) === (row.rail === null) &&
      (row.rail === null) === (row.account_status === null),
    { path: ['account_id'], error: 'the account columns must be all null or all set' },
  )
  .transform((row): PayeeStanding => ({
    ownThresholdMinor: row.threshold_minor,
    account:
      row.account_id === null || row.rail === null || row.account_status === null
        ? null
        : { id: row.account_id, rail: row.rail, status: row.account_status },
    holdReason: row.hold_reason,
  }));

/** The batches feature's tables: payout_batches (one per period) and batch_lines (each payee's outcome in one). */
@Injectable()
export class BatchesRepository {
  /** False when the period's batch exists already (a redelivered close). */
  async create(manager: EntityManager, period: string): Promise<boolean> {
    const created = await queryRows(
      manager,
      {
        name: 'batches.create',
        row: periodRow,
        sql: 'INSERT INTO payout_batches (period) VALUES ($1) ON CONFLICT (period) DO NOTHING RETURNING period',
      },
      [period],
    );
    return created.length > 0;
  }

  /** Null until the period has closed. */
  async find(manager: EntityManager, period: string): Promise<PayoutBatch | null> {
    const [batch] = await queryRows(
      manager,
      {
        name: 'batches.find',
        row: batchRow,
        sql: 'SELECT period, created_at FROM payout_batches WHERE period = $1',
      },
      [period],
    );
    return batch ?? null;
  }

  /** A batch's lines counted and summed per outcome and currency. */
  async lineTotalsOf(manager: EntityManager, period: string): Promise<BatchLineTotal[]> {
    return queryRows(
      manager,
      {
        name: 'batches.lineTotalsOf',
        row: lineTotalRow,
        sql: `SELECT outcome, currency, count(*)::int AS payees, sum(available_minor)::text AS amount
                FROM batch_lines WHERE period = $1 GROUP BY outcome, currency ORDER BY outcome, currency`,
      },
      [period],
    );
  }

  async addLine(manager: EntityManager, line: BatchLine): Promise<void> {
    await manager.query(
      `INSERT INTO batch_lines (period, payee, currency, available_minor, outcome, reason, payout_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        line.period,
        line.payee,
        line.currency,
        line.availableMinor.toString(),
        line.outcome,
        line.reason,
        line.payoutId,
      ],
    );
  }

  /** What the batch decides a payee's lines by: its own threshold, its active account, its oldest active hold. */
  async standingOf(manager: EntityManager, payee: string): Promise<PayeeStanding> {
    const [standing] = await queryRows(
      manager,
      {
        name: 'batches.standingOf',
        row: standingRow,
        sql: `SELECT p.threshold_minor::text AS threshold_minor, a.id AS account_id, a.rail, a.status AS account_status,
                     (SELECT h.reason FROM holds h WHERE h.payee = p.payee AND h.released_at IS NULL
                       ORDER BY h.placed_at LIMIT 1) AS hold_reason
                FROM payees p LEFT JOIN payout_accounts a ON a.payee = p.payee AND a.active
               WHERE p.payee = $1`,
      },
      [payee],
    );
    return standing ?? NO_STANDING;
  }
}

import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type LineOutcome } from './payout-decision.js';

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

/** A payee's line in a batch, as its statement shows it. */
export type PayeeBatchLine = Pick<BatchLine, 'currency' | 'availableMinor' | 'outcome' | 'reason'>;

const outcomeColumn = z.enum(['paid', 'carried', 'held']);

const periodRow = z.object({ period: z.string() });

const batchRow = z
  .object({ period: z.string(), created_at: z.date() })
  .transform((row): PayoutBatch => ({ period: row.period, createdAt: row.created_at }));

const lineTotalRow = z
  .object({
    outcome: outcomeColumn,
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

const payeeLineRow = z
  .object({
    currency: z.string(),
    available_minor: bigintText,
    outcome: outcomeColumn,
    reason: z.string().nullable(),
  })
  .transform((row): PayeeBatchLine => ({
    currency: row.currency,
    availableMinor: row.available_minor,
    outcome: row.outcome,
    reason: row.reason,
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

  /** The payee's lines in the period's batch, by currency. */
  async linesOf(manager: EntityManager, period: string, payee: string): Promise<PayeeBatchLine[]> {
    return queryRows(
      manager,
      {
        name: 'batches.linesOf',
        row: payeeLineRow,
        sql: `SELECT currency, available_minor::text AS available_minor, outcome, reason FROM batch_lines
               WHERE period = $1 AND payee = $2 ORDER BY currency`,
      },
      [period, payee],
    );
  }
}

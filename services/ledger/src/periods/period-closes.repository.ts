import { Injectable } from '@nestjs/common';
import { type PeriodAllocationJson } from '@onecommons/allocation';
import { bigintText, parseRows, queryOne, queryRows, type RowQuery } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { subscriberEscrowsOf } from '../treasury/accounts.js';

/** A numeric amount as text (a `::text` column, or an amount inside a json column), kept as text. */
export const wholeNumberText = z.string().regex(/^-?\d+$/, { error: 'expected a whole number as text' });

/** A recorded allocation (of a close or an adjustment) in a json column: `toAllocationJson`'s shape. */
export const allocationJsonColumn = z.object({
  period: z.string(),
  total: wholeNumberText,
  allocations: z.array(z.object({ account: z.string(), amount: wholeNumberText })),
  merkleRoot: z.string(),
});

/**
 * Where a close keeps the subscribers and usage rows it allocated (period_closes.input_rows): `copied` into
 * `input` and period_close_usage (closes before issue #26), or `frozen`, the period's own rows of
 * subscriber_tokens and usage_quantities, which stop changing once the close is recorded (a trigger refuses it).
 */
export const INPUT_ROWS = ['copied', 'frozen'] as const;

export type InputRows = (typeof INPUT_ROWS)[number];

export interface PeriodCloseDto {
  readonly period: string;
  readonly status: 'closed';
  readonly total: string;
  readonly merkleRoot: string;
}

export interface ClosedPeriod extends PeriodCloseDto {
  /** The recorded input; with `inputRows` frozen, without its subscribers and usage (`closedInput` adds them). */
  readonly input: Record<string, unknown>;
  readonly inputRows: InputRows;
  readonly allocation: PeriodAllocationJson;
  readonly forced: boolean;
  readonly closedAt: string;
}

/** A close as it is recorded, before the rows it returns. */
export interface NewPeriodClose {
  readonly period: string;
  readonly total: bigint;
  readonly merkleRoot: string;
  /** `toAllocationInputJson` of the input, without its subscribers and usage rows (they are frozen). */
  readonly input: unknown;
  readonly allocation: PeriodAllocationJson;
  readonly forced: boolean;
}

export interface RecordedClose {
  readonly period: string;
  readonly total: string;
  readonly merkleRoot: string;
  readonly closedAt: Date;
}

/** A subscriber of a closed input, as the input's JSON has it. */
export interface SubscriberJson {
  readonly id: string;
  readonly tokens: string;
}

/** A usage row of a closed input, as the input's JSON has it. */
export interface UsageRowJson {
  readonly subscriber: string;
  readonly service: string;
  readonly meter: string;
  readonly quantity: string;
}

const summaryRow = z
  .object({ period: z.string(), total: wholeNumberText, merkle_root: z.string() })
  .transform((row): PeriodCloseDto => ({
    period: row.period,
    status: 'closed',
    total: row.total,
    merkleRoot: row.merkle_root,
  }));

const closedPeriodRow = z
  .object({
    period: z.string(),
    total: wholeNumberText,
    merkle_root: z.string(),
    input: z.record(z.string(), z.unknown()),
    input_rows: z.enum(INPUT_ROWS),
    allocation: allocationJsonColumn,
    forced: z.boolean(),
    closed_at: z.date(),
  })
  .transform((row): ClosedPeriod => ({
    period: row.period,
    status: 'closed',
    total: row.total,
    merkleRoot: row.merkle_root,
    input: row.input,
    inputRows: row.input_rows,
    allocation: row.allocation,
    forced: row.forced,
    closedAt: row.closed_at.toISOString(),
  }));

const recordedRow = z
  .object({ period: z.string(), total: wholeNumberText, merkle_root: z.string(), closed_at: z.date() })
  .transform((row): RecordedClose => ({
    period: row.period,
    total: row.total,
    merkleRoot: row.merkle_root,
    closedAt: row.closed_at,
  }));

const subscriberRow = z.object({ id: z.string(), tokens: wholeNumberText });

const usageRow = z
  .object({ subscriber_id: z.string(), service_id: z.string(), meter: z.string(), quantity: wholeNumberText })
  .transform((row): UsageRowJson => ({
    subscriber: row.subscriber_id,
    service: row.service_id,
    meter: row.meter,
    quantity: row.quantity,
  }));

const existsRow = z.object({});

const postedRow = z.object({ posted: z.boolean() });

const seqRow = z.object({ seq: bigintText });

/**
 * The usage rows the close allocated, in key order: for a frozen close, the period's rows that could move money
 * then (of paying subscribers, positive, on the services and meters its recorded input names). `period` is SQL:
 * `$1` or a literal.
 */
function closedUsageSql(rows: InputRows, period: string): string {
  if (rows === 'copied')
    return `SELECT subscriber_id, service_id, meter, quantity::text AS quantity FROM period_close_usage
             WHERE period = ${period} ORDER BY subscriber_id, service_id, meter`;
  return `
    SELECT u.subscriber_id, u.service_id, u.meter, u.quantity::text AS quantity
      FROM usage_quantities u
      JOIN subscriber_tokens t ON t.period = u.period AND t.subscriber_id = u.subscriber_id AND t.tokens > 0
     WHERE u.period = ${period} AND u.quantity > 0
       AND u.service_id IN (SELECT (s ->> 'id')::uuid FROM period_closes c, json_array_elements(c.input -> 'services') s
                             WHERE c.period = ${period})
       AND u.meter IN (SELECT json_object_keys(c.input -> 'meters') FROM period_closes c WHERE c.period = ${period})
     ORDER BY u.subscriber_id, u.service_id, u.meter`;
}

/** A frozen close's subscribers in the input's JSON shape, in key order. `period` is SQL: `$1` or a literal. */
function frozenSubscribersSql(period: string): string {
  return `SELECT subscriber_id AS id, tokens::text AS tokens FROM subscriber_tokens
           WHERE period = ${period} AND tokens > 0 ORDER BY subscriber_id`;
}

/** The period as a literal for a cursor (DECLARE takes no parameters): a YYYY-MM the caller has checked. */
const periodLiteral = (period: string) => `'${period}'`;

/**
 * period_closes (each closed period's recorded result) and the rows of its input (period_close_usage, or the
 * period's frozen subscriber_tokens and usage_quantities), with what a close reads of the journal.
 */
@Injectable()
export class PeriodClosesRepository {
  async isClosed(manager: EntityManager, period: string): Promise<boolean> {
    const rows = await queryRows(
      manager,
      { name: 'periodCloses.isClosed', row: existsRow, sql: 'SELECT 1 FROM period_closes WHERE period = $1' },
      [period],
    );
    return rows.length > 0;
  }

  /** The recorded result without its input and allocation (which can be large); null while open. */
  async summary(manager: EntityManager, period: string): Promise<PeriodCloseDto | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periodCloses.summary',
        row: summaryRow,
        sql: 'SELECT period, total::text AS total, merkle_root FROM period_closes WHERE period = $1',
      },
      [period],
    );
    return row ?? null;
  }

  async find(manager: EntityManager, period: string): Promise<ClosedPeriod | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periodCloses.find',
        row: closedPeriodRow,
        sql: `SELECT period, total::text AS total, merkle_root, input, input_rows, allocation, forced, closed_at
         FROM period_closes WHERE period = $1`,
      },
      [period],
    );
    return row ?? null;
  }

  /** Records a close whose subscribers and usage rows are the period's frozen rows. */
  async record(manager: EntityManager, close: NewPeriodClose): Promise<RecordedClose> {
    return queryOne(
      manager,
      {
        name: 'periodCloses.record',
        row: recordedRow,
        sql: `INSERT INTO period_closes (period, total, merkle_root, input, input_rows, allocation, forced)
       VALUES ($1, $2, $3, $4, 'frozen', $5, $6)
       RETURNING period, total::text AS total, merkle_root, closed_at`,
      },
      [
        close.period,
        close.total.toString(),
        close.merkleRoot,
        JSON.stringify(close.input),
        JSON.stringify(close.allocation),
        close.forced,
      ],
    );
  }

  /** The usage rows the close allocated, in key order. */
  async closedUsage(manager: EntityManager, closed: ClosedPeriod): Promise<UsageRowJson[]> {
    return queryRows(
      manager,
      { name: 'periodCloses.closedUsage', row: usageRow, sql: closedUsageSql(closed.inputRows, '$1') },
      [closed.period],
    );
  }

  /** The subscribers the close allocated, in key order. */
  async closedSubscribers(manager: EntityManager, closed: ClosedPeriod): Promise<SubscriberJson[]> {
    if (closed.inputRows === 'copied')
      return parseRows('periodCloses.closedSubscribers', subscriberRow, closed.input.subscribers ?? []);
    return queryRows(
      manager,
      { name: 'periodCloses.closedSubscribers', row: subscriberRow, sql: frozenSubscribersSql('$1') },
      [closed.period],
    );
  }

  /** A frozen close's subscribers through a cursor, `batch` at a time, in the caller's transaction. */
  frozenSubscriberBatches(
    manager: EntityManager,
    period: string,
    batch: number,
  ): AsyncGenerator<SubscriberJson[]> {
    return cursorBatches(
      manager,
      {
        name: 'periodCloses.frozenSubscriberBatches',
        row: subscriberRow,
        sql: frozenSubscribersSql(periodLiteral(period)),
      },
      batch,
    );
  }

  /** The usage rows the close allocated through a cursor, `batch` at a time, in the caller's transaction. */
  closedUsageBatches(
    manager: EntityManager,
    closed: ClosedPeriod,
    batch: number,
  ): AsyncGenerator<UsageRowJson[]> {
    return cursorBatches(
      manager,
      {
        name: 'periodCloses.closedUsageBatches',
        row: usageRow,
        sql: closedUsageSql(closed.inputRows, periodLiteral(closed.period)),
      },
      batch,
    );
  }

  /** Whether a journal transaction after `seq` posted to one of the period's subscriber escrows (a mint, a refund). */
  async escrowsPostedSince(manager: EntityManager, period: string, seq: bigint): Promise<boolean> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periodCloses.escrowsPostedSince',
        row: postedRow,
        sql: `SELECT EXISTS (
       SELECT 1 FROM ledger_transactions t JOIN ledger_entries e ON e.transaction_key = t.key
        WHERE t.seq > $1 AND e.account LIKE $2) AS posted`,
      },
      [seq.toString(), subscriberEscrowsOf(period)],
    );
    return row?.posted === true;
  }

  /** The journal's last sequence number (0 when empty). */
  async journalHead(manager: EntityManager): Promise<bigint> {
    const row = await queryOne(
      manager,
      {
        name: 'periodCloses.journalHead',
        row: seqRow,
        sql: 'SELECT coalesce(max(seq), 0)::text AS seq FROM ledger_transactions',
      },
      [],
    );
    return row.seq;
  }
}

/** A query's rows through a cursor (`input_rows`), `batch` at a time; the cursor is closed once read to the end. */
async function* cursorBatches<Schema extends z.ZodType>(
  manager: EntityManager,
  query: RowQuery<Schema>,
  batch: number,
): AsyncGenerator<z.output<Schema>[]> {
  await manager.query(`DECLARE input_rows NO SCROLL CURSOR FOR ${query.sql}`);
  for (;;) {
    const rows = await queryRows(manager, { ...query, sql: `FETCH ${batch} FROM input_rows` }, []);
    if (rows.length === 0) break;
    yield rows;
  }
  await manager.query('CLOSE input_rows');
}

import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export interface PeriodCloseRequest {
  readonly period: string;
  readonly forced: boolean;
  readonly firstRequestedAt: Date;
  readonly lastRequestedAt: Date;
}

const requestRow = z
  .object({
    period: z.string(),
    forced: z.boolean(),
    first_requested_at: z.date(),
    last_requested_at: z.date(),
  })
  .transform((row): PeriodCloseRequest => ({
    period: row.period,
    forced: row.forced,
    firstRequestedAt: row.first_requested_at,
    lastRequestedAt: row.last_requested_at,
  }));

const periodRow = z.object({ period: z.string() });

const forcedRow = z.object({ forced: z.boolean() });

/** period_close_requests: the ledger's requests to close a period, one per period. */
@Injectable()
export class PeriodCloseRequestsRepository {
  /** False when the period was requested already. */
  async insert(manager: EntityManager, period: string, forced: boolean, now: Date): Promise<boolean> {
    const inserted = await queryRows(
      manager,
      {
        name: 'periodCloseRequests.insert',
        row: periodRow,
        sql: `INSERT INTO period_close_requests (period, forced, first_requested_at, last_requested_at)
       VALUES ($1, $2, $3, $3) ON CONFLICT (period) DO NOTHING RETURNING period`,
      },
      [period, forced, now],
    );
    return inserted.length > 0;
  }

  /**
   * Marks the request as sent again at `now` when it was last sent at or before `before` and metering has not
   * answered it (no watermark); the request's `forced` then, or null when it was not renewed.
   */
  async renewUnanswered(
    manager: EntityManager,
    period: string,
    forced: boolean,
    now: Date,
    before: Date,
  ): Promise<boolean | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periodCloseRequests.renewUnanswered',
        row: forcedRow,
        sql: `UPDATE period_close_requests SET last_requested_at = $3, forced = forced OR $2
        WHERE period = $1 AND last_requested_at <= $4
          AND NOT EXISTS (SELECT 1 FROM usage_watermarks w WHERE w.period = $1)
        RETURNING forced`,
      },
      [period, forced, now, before],
    );
    return row?.forced ?? null;
  }

  async find(manager: EntityManager, period: string): Promise<PeriodCloseRequest | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'periodCloseRequests.find',
        row: requestRow,
        sql: `SELECT period, forced, first_requested_at, last_requested_at FROM period_close_requests WHERE period = $1`,
      },
      [period],
    );
    return row ?? null;
  }

  /** Requested periods that are not closed, oldest first. */
  async open(manager: EntityManager): Promise<PeriodCloseRequest[]> {
    return queryRows(
      manager,
      {
        name: 'periodCloseRequests.open',
        row: requestRow,
        sql: `SELECT period, forced, first_requested_at, last_requested_at FROM period_close_requests
        WHERE period NOT IN (SELECT period FROM period_closes) ORDER BY period`,
      },
      [],
    );
  }

  /** A request as its event tells it, merged with what is recorded (a replay rebuilds the table from them). */
  async recordRequested(
    manager: EntityManager,
    period: string,
    forced: boolean,
    requestedAt: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO period_close_requests (period, forced, first_requested_at, last_requested_at)
       VALUES ($1, $2, $3, $3)
       ON CONFLICT (period) DO UPDATE SET forced = period_close_requests.forced OR EXCLUDED.forced,
         first_requested_at = LEAST(period_close_requests.first_requested_at, EXCLUDED.first_requested_at),
         last_requested_at = GREATEST(period_close_requests.last_requested_at, EXCLUDED.last_requested_at)`,
      [period, forced, requestedAt],
    );
  }
}

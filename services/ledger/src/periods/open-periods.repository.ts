import { Injectable } from '@nestjs/common';
import { queryOne, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { wholeNumberText } from './period-closes.repository.js';

/** An open period's wait for its close, as the metrics show it. */
export interface OpenPeriodWait {
  readonly period: string;
  /** Usage announcements metering made that the ledger has not applied (text; 0 until sealed). */
  readonly behind: string;
  /** Seconds since its close was requested (0 when not requested). */
  readonly waitingSeconds: number;
}

const periodRow = z.object({ period: z.string() });

const waitRow = z
  .object({ period: z.string(), behind: wholeNumberText, waiting: z.number() })
  .transform((row): OpenPeriodWait => ({
    period: row.period,
    behind: row.behind,
    waitingSeconds: row.waiting,
  }));

const mintedRow = z.object({ subscribers: z.number().int(), tokens: wholeNumberText });

const usageRow = z.object({ rows: z.number().int(), quantity: wholeNumberText });

const pointsRow = z.object({ services: z.number().int() });

/** What has reached the ledger for the periods not closed yet (subscriber_tokens, usage and resource points). */
@Injectable()
export class OpenPeriodsRepository {
  /** Every period with tokens or usage that is not closed, oldest first. */
  async withInputsNotClosed(manager: EntityManager): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'openPeriods.withInputsNotClosed',
        row: periodRow,
        sql: `SELECT period FROM (SELECT period FROM subscriber_tokens UNION SELECT period FROM usage_quantities) periods
      WHERE period NOT IN (SELECT period FROM period_closes) ORDER BY period`,
      },
      [],
    );
    return rows.map((row) => row.period);
  }

  /** Per open period: how far the ledger is behind metering's announcements, how long its close has waited. */
  async waits(manager: EntityManager): Promise<OpenPeriodWait[]> {
    return queryRows(
      manager,
      {
        name: 'openPeriods.waits',
        row: waitRow,
        sql: `WITH open AS (
         SELECT period FROM subscriber_tokens UNION SELECT period FROM usage_applied_counts
         UNION SELECT period FROM period_close_requests UNION SELECT period FROM usage_watermarks
         EXCEPT SELECT period FROM period_closes)
       SELECT o.period,
              coalesce(w.announcements - coalesce(a.applied, 0), 0)::text AS behind,
              coalesce(extract(epoch FROM now() - r.first_requested_at), 0)::float8 AS waiting
         FROM open o
         LEFT JOIN usage_watermarks w ON w.period = o.period
         LEFT JOIN (SELECT period, sum(applied) AS applied FROM usage_applied_counts GROUP BY period) a
                ON a.period = o.period
         LEFT JOIN period_close_requests r ON r.period = o.period`,
      },
      [],
    );
  }

  /** The period's paying subscribers and the tokens they minted so far (text). */
  async minted(manager: EntityManager, period: string): Promise<z.output<typeof mintedRow>> {
    return queryOne(
      manager,
      {
        name: 'openPeriods.minted',
        row: mintedRow,
        sql: `SELECT count(*)::int AS subscribers, coalesce(sum(tokens), 0)::text AS tokens FROM subscriber_tokens
        WHERE period = $1 AND tokens > 0`,
      },
      [period],
    );
  }

  /** The period's usage rows so far and their summed quantity (text). */
  async usage(manager: EntityManager, period: string): Promise<z.output<typeof usageRow>> {
    return queryOne(
      manager,
      {
        name: 'openPeriods.usage',
        row: usageRow,
        sql: `SELECT count(*)::int AS rows, coalesce(sum(quantity), 0)::text AS quantity FROM usage_quantities
        WHERE period = $1`,
      },
      [period],
    );
  }

  /** How many services' providers have reported resource points for the period. */
  async servicesWithResourcePoints(manager: EntityManager, period: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'openPeriods.servicesWithResourcePoints',
        row: pointsRow,
        sql: `SELECT count(DISTINCT service_id)::int AS services FROM provider_resource_points
        WHERE period = $1 AND points > 0`,
      },
      [period],
    );
    return row.services;
  }
}

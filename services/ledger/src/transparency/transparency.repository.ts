import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { wholeNumberText } from '../periods/period-closes.repository.js';

/** A closed period as the transparency index lists it: its public result only. */
export interface ClosedPeriodListing {
  readonly period: string;
  readonly total: string;
  readonly merkleRoot: string;
  readonly closedAt: Date;
  readonly adjustments: number;
}

const listingRow = z
  .object({
    period: z.string(),
    total: wholeNumberText,
    merkle_root: z.string(),
    closed_at: z.date(),
    adjustments: z.number().int(),
  })
  .transform((row): ClosedPeriodListing => ({
    period: row.period,
    total: row.total,
    merkleRoot: row.merkle_root,
    closedAt: row.closed_at,
    adjustments: row.adjustments,
  }));

const versionRow = z.object({ latest_adjustment: z.number().int() });

const nameRow = z.object({ project_id: z.string(), name: z.string() });

/** The few reads of the public transparency pages that the periods' own repositories do not have. */
@Injectable()
export class TransparencyRepository {
  /** Every closed period, newest first. */
  closedPeriods(manager: EntityManager): Promise<ClosedPeriodListing[]> {
    return queryRows(
      manager,
      {
        name: 'transparency.closedPeriods',
        row: listingRow,
        sql: `SELECT c.period, c.total::text AS total, c.merkle_root, c.closed_at,
                     (SELECT count(*)::int FROM period_adjustments a WHERE a.period = c.period) AS adjustments
                FROM period_closes c ORDER BY c.period DESC`,
      },
      [],
    );
  }

  /**
   * The sequence of the closed period's latest adjustment (0 without one): what the page computed stays right
   * while it does. Null when the period is not closed.
   */
  async closedVersion(manager: EntityManager, period: string): Promise<number | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'transparency.closedVersion',
        row: versionRow,
        sql: `SELECT coalesce((SELECT max(a.sequence) FROM period_adjustments a WHERE a.period = c.period), 0)::int
                     AS latest_adjustment
                FROM period_closes c WHERE c.period = $1`,
      },
      [period],
    );
    return row ? row.latest_adjustment : null;
  }

  /** The projects' names as catalog last announced them (the ledger's projection), by project id. */
  async projectNames(manager: EntityManager, projectIds: readonly string[]): Promise<Map<string, string>> {
    // The projection's ids are uuids: another id (none in practice) has no name to find.
    const ids = projectIds.filter((id) => UUID_PATTERN.test(id));
    if (ids.length === 0) return new Map();
    const rows = await queryRows(
      manager,
      {
        name: 'transparency.projectNames',
        row: nameRow,
        sql: 'SELECT project_id::text AS project_id, name FROM projects WHERE project_id = ANY($1::uuid[])',
      },
      [ids],
    );
    return new Map(rows.map((row) => [row.project_id, row.name]));
  }
}

import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type RateBudget } from './rate-budget.js';

const budgetRow = z
  .object({
    request_limit: z.number().int().nullable(),
    remaining: z.number().int().nullable(),
    resets_at: z.date().nullable(),
    blocked_until: z.date().nullable(),
  })
  .transform((row): RateBudget => ({
    limit: row.request_limit,
    remaining: row.remaining,
    resetsAt: row.resets_at,
    blockedUntil: row.blocked_until,
  }));

const untilRow = z.object({ until: z.date().nullable() });

/** The provider_rate_budgets table: each provider account's rate budget, shared by every replica. */
@Injectable()
export class RateBudgetsRepository {
  /** Null until the account's API has answered once. */
  async budgetOf(manager: EntityManager, providerAccountId: string): Promise<RateBudget | null> {
    const [budget] = await queryRows(
      manager,
      {
        name: 'rateBudgets.budgetOf',
        row: budgetRow,
        sql: `SELECT request_limit, remaining, resets_at, blocked_until FROM provider_rate_budgets WHERE provider_account_id = $1`,
      },
      [providerAccountId],
    );
    return budget ?? null;
  }

  async save(manager: EntityManager, providerAccountId: string, budget: RateBudget): Promise<void> {
    await manager.query(
      `INSERT INTO provider_rate_budgets (provider_account_id, request_limit, remaining, resets_at, blocked_until, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (provider_account_id) DO UPDATE SET request_limit = EXCLUDED.request_limit, remaining = EXCLUDED.remaining,
         resets_at = EXCLUDED.resets_at, blocked_until = EXCLUDED.blocked_until, updated_at = now()`,
      [providerAccountId, budget.limit, budget.remaining, budget.resetsAt, budget.blockedUntil],
    );
  }

  /**
   * Until when the account's calls are held back: the later of its block and, when its budget is spent, its
   * reset (either may be past); null when neither is known.
   */
  async blockedUntil(manager: EntityManager, providerAccountId: string): Promise<Date | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'rateBudgets.blockedUntil',
        row: untilRow,
        sql: `SELECT greatest(blocked_until, CASE WHEN remaining <= 0 THEN resets_at END) AS until FROM provider_rate_budgets
               WHERE provider_account_id = $1`,
      },
      [providerAccountId],
    );
    return row?.until ?? null;
  }
}

import { Injectable } from '@nestjs/common';
import { queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type PlanClaim } from '@onecommons/contracts';
import { planClaimOf } from '../../billing/plan-claim.js';
import { LIVE_STATUSES, type SubscriptionStatus } from '../../billing/subscription.entity.js';

export interface AccountClaims {
  readonly email: string;
  readonly email_verified: boolean;
  readonly plan: PlanClaim;
}

const claimsRow = z
  .object({
    email: z.string(),
    email_verified: z.boolean(),
    status: z.enum(['incomplete', 'active', 'past_due', 'ended', 'failed']).nullable(),
    period_end: z.date().nullable(),
    cancel_at_period_end: z.boolean().nullable(),
  })
  .transform((row): AccountClaims => ({
    email: row.email,
    email_verified: row.email_verified,
    plan: planClaimOf(
      row.status === null
        ? null
        : {
            status: row.status satisfies SubscriptionStatus,
            periodEnd: row.period_end,
            cancelAtPeriodEnd: row.cancel_at_period_end ?? false,
          },
    ),
  }));

/** What an app may learn of a subscriber through OpenID (subject to the scopes they granted it). */
@Injectable()
export class AccountClaimsRepository {
  /** Null for an account that does not exist, or was deleted. */
  async claimsOf(manager: EntityManager, accountId: string): Promise<AccountClaims | null> {
    const [claims] = await queryRows(
      manager,
      {
        name: 'accountClaims.claimsOf',
        row: claimsRow,
        sql: `SELECT a.email, a.email_verified, s.status, s.period_end, s.cancel_at_period_end
              FROM accounts a
              LEFT JOIN subscriptions s ON s.account_id = a.id AND s.status = ANY($2)
              WHERE a.id = $1 AND a.deleted_at IS NULL`,
      },
      [accountId, LIVE_STATUSES],
    );
    return claims ?? null;
  }
}

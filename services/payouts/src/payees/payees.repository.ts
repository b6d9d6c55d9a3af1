import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { bigintText, queryOne, queryRows } from '@onecommons/persistence';
import { type PayeeStanding } from '../batches/payout-decision.js';
import { type AccountCheck } from '../rails/payout-rail.js';

export interface PayeePreferences {
  readonly autoRedeem: boolean;
  readonly ownThresholdMinor: bigint | null;
}

export interface PayoutAccount {
  readonly id: string;
  readonly rail: 'stripe' | 'bank';
  readonly display: string;
  readonly status: 'verified' | 'unverified';
  readonly statusReason: string | null;
  readonly createdAt: Date;
  readonly verifiedAt: Date | null;
  readonly detailsSealed: string;
  /** The Stripe account (rail `stripe`), else null. */
  readonly stripeAccountId: string | null;
  /** Opened by payouts through Stripe-hosted onboarding (an Express account). */
  readonly onboarding: boolean;
  /** What the rail still needs from the holder (Stripe's requirements currently or past due). */
  readonly requirements: readonly string[];
}

export interface NewPayoutAccount {
  readonly id: string;
  readonly payee: string;
  readonly rail: PayoutAccount['rail'];
  readonly detailsSealed: string;
  readonly display: string;
  readonly status: PayoutAccount['status'];
  readonly statusReason: string | null;
  readonly stripeAccountId: string | null;
  readonly onboarding: boolean;
  readonly requirements: readonly string[];
}

export interface Hold {
  readonly id: string;
  readonly reason: string;
  readonly note: string;
  readonly placedAt: Date;
}

/** A payout account's rail column, as the payouts read it too. */
export const railColumn = z.enum(['stripe', 'bank']);
const accountStatusColumn = z.enum(['verified', 'unverified']);

const preferencesRow = z
  .object({ auto_redeem: z.boolean(), threshold_minor: bigintText.nullable() })
  .transform((row): PayeePreferences => ({
    autoRedeem: row.auto_redeem,
    ownThresholdMinor: row.threshold_minor,
  }));

const lockedPayeeRow = z
  .object({ auto_redeem: z.boolean() })
  .transform((row) => ({ autoRedeem: row.auto_redeem }));

/** A payout_accounts row (`SELECT *`), as the onboarding's queries read it too. */
export const payoutAccountRow = z
  .object({
    id: z.string(),
    rail: railColumn,
    display: z.string(),
    status: accountStatusColumn,
    status_reason: z.string().nullable(),
    created_at: z.date(),
    verified_at: z.date().nullable(),
    details_sealed: z.string(),
    stripe_account_id: z.string().nullable(),
    onboarding: z.boolean(),
    requirements: z.array(z.string()),
  })
  .transform((row): PayoutAccount => ({
    id: row.id,
    rail: row.rail,
    display: row.display,
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    verifiedAt: row.verified_at,
    detailsSealed: row.details_sealed,
    stripeAccountId: row.stripe_account_id,
    onboarding: row.onboarding,
    requirements: row.requirements,
  }));

const holdRow = z
  .object({ id: z.string(), reason: z.string(), note: z.string(), placed_at: z.date() })
  .transform((row): Hold => ({ id: row.id, reason: row.reason, note: row.note, placedAt: row.placed_at }));

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

const detailsSealedRow = z.object({ details_sealed: z.string() });

const inFlightRow = z.object({ currency: z.string(), amount: bigintText });

const updatedAtRow = z.object({ updated_at: z.date() });

const idRow = z.object({ id: z.string() });

const countRow = z.object({ n: z.number().int() });

/** The payees feature's tables: payees (preferences), payout_accounts (one active per payee) and holds. */
@Injectable()
export class PayeesRepository {
  /** Makes sure a payee row exists (a payee appears when first credited or when it sets something up). */
  async ensure(manager: EntityManager, payee: string): Promise<void> {
    await manager.query('INSERT INTO payees (payee) VALUES ($1) ON CONFLICT (payee) DO NOTHING', [payee]);
  }

  /** Null for a payee without a row: it has the defaults. */
  async preferences(manager: EntityManager, payee: string): Promise<PayeePreferences | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'payees.preferences',
        row: preferencesRow,
        sql: 'SELECT auto_redeem, threshold_minor::text AS threshold_minor FROM payees WHERE payee = $1',
      },
      [payee],
    );
    return row ?? null;
  }

  /** Locks the payee's row until the transaction ends (changes to a payee go one at a time). */
  async lock(manager: EntityManager, payee: string): Promise<{ readonly autoRedeem: boolean } | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'payees.lock',
        row: lockedPayeeRow,
        sql: 'SELECT auto_redeem FROM payees WHERE payee = $1 FOR UPDATE',
      },
      [payee],
    );
    return row ?? null;
  }

  async setThreshold(manager: EntityManager, payee: string, thresholdMinor: bigint | null): Promise<void> {
    await manager.query('UPDATE payees SET threshold_minor = $2, updated_at = now() WHERE payee = $1', [
      payee,
      thresholdMinor?.toString() ?? null,
    ]);
  }

  /** When the change was made (the event's time). */
  async setAutoRedeem(manager: EntityManager, payee: string, autoRedeem: boolean): Promise<Date> {
    const row = await queryOne(
      manager,
      {
        name: 'payees.setAutoRedeem',
        row: updatedAtRow,
        sql: 'UPDATE payees SET auto_redeem = $2, updated_at = now() WHERE payee = $1 RETURNING updated_at',
      },
      [payee, autoRedeem],
    );
    return row.updated_at;
  }

  async activeAccount(manager: EntityManager, payee: string): Promise<PayoutAccount | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'payees.activeAccount',
        row: payoutAccountRow,
        sql: 'SELECT * FROM payout_accounts WHERE payee = $1 AND active',
      },
      [payee],
    );
    return row ?? null;
  }

  /** The new account becomes the payee's active one; the caller holds the payee's lock. */
  async replaceActiveAccount(manager: EntityManager, account: NewPayoutAccount): Promise<PayoutAccount> {
    await manager.query('UPDATE payout_accounts SET active = false WHERE payee = $1 AND active', [
      account.payee,
    ]);
    return queryOne(
      manager,
      {
        name: 'payees.replaceActiveAccount',
        row: payoutAccountRow,
        sql: `INSERT INTO payout_accounts (id, payee, rail, details_sealed, display, status, status_reason, active, verified_at,
                                           stripe_account_id, onboarding, requirements)
              VALUES ($1, $2, $3, $4, $5, $6, $7, true, CASE WHEN $6 = 'verified' THEN now() END, $8, $9, $10) RETURNING *`,
      },
      [
        account.id,
        account.payee,
        account.rail,
        account.detailsSealed,
        account.display,
        account.status,
        account.statusReason,
        account.stripeAccountId,
        account.onboarding,
        account.requirements,
      ],
    );
  }

  /**
   * The account with the rail's verdict, or null when it is no longer the active one. An account verified before
   * keeps the time it was first verified.
   */
  async setAccountStatus(
    manager: EntityManager,
    accountId: string,
    check: AccountCheck,
  ): Promise<PayoutAccount | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'payees.setAccountStatus',
        row: payoutAccountRow,
        sql: `UPDATE payout_accounts
                 SET status = $2, status_reason = $3, requirements = $4,
                     verified_at = CASE WHEN $2 = 'verified' THEN (CASE WHEN status = 'verified' THEN verified_at ELSE now() END) END
               WHERE id = $1 AND active RETURNING *`,
      },
      [accountId, check.verified ? 'verified' : 'unverified', check.reason, check.requirements],
    );
    return row ?? null;
  }

  /** How many payout accounts the payee ever had (numbers its onboarding attempts). */
  async accountCount(manager: EntityManager, payee: string): Promise<number> {
    const row = await queryOne(
      manager,
      {
        name: 'payees.accountCount',
        row: countRow,
        sql: 'SELECT count(*)::int AS n FROM payout_accounts WHERE payee = $1',
      },
      [payee],
    );
    return row.n;
  }

  /** Makes the account unverified (the payee is held until it fixes it), active or not. */
  async markAccountUnverified(
    manager: EntityManager,
    accountId: string,
    statusReason: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE payout_accounts SET status = 'unverified', status_reason = $2, verified_at = NULL WHERE id = $1`,
      [accountId, statusReason],
    );
  }

  /** The sealed payout details of an account known to exist, active or not. */
  async sealedDetailsOf(manager: EntityManager, accountId: string): Promise<string> {
    const row = await queryOne(
      manager,
      {
        name: 'payees.sealedDetailsOf',
        row: detailsSealedRow,
        sql: `SELECT details_sealed FROM payout_accounts WHERE id = $1`,
      },
      [accountId],
    );
    return row.details_sealed;
  }

  /**
   * What a payee's lines are decided by (`payout-decision.ts`): its own threshold, its active account, its oldest
   * active hold. A payee without a row has none of them.
   */
  async standingOf(manager: EntityManager, payee: string): Promise<PayeeStanding> {
    const [standing] = await queryRows(
      manager,
      {
        name: 'payees.standingOf',
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

  /** The payee's unreleased holds, oldest first. */
  async activeHolds(manager: EntityManager, payee: string): Promise<Hold[]> {
    return queryRows(
      manager,
      {
        name: 'payees.activeHolds',
        row: holdRow,
        sql: 'SELECT id, reason, note, placed_at FROM holds WHERE payee = $1 AND released_at IS NULL ORDER BY placed_at',
      },
      [payee],
    );
  }

  async placeHold(
    manager: EntityManager,
    hold: { readonly id: string; readonly payee: string; readonly reason: string; readonly note: string },
    placedBy: string,
  ): Promise<Hold> {
    return queryOne(
      manager,
      {
        name: 'payees.placeHold',
        row: holdRow,
        sql: `INSERT INTO holds (id, payee, reason, note, placed_by) VALUES ($1, $2, $3, $4, $5)
              RETURNING id, reason, note, placed_at`,
      },
      [hold.id, hold.payee, hold.reason, hold.note, placedBy],
    );
  }

  /** False when the payee has no such active hold. */
  async releaseHold(
    manager: EntityManager,
    payee: string,
    holdId: string,
    releasedBy: string,
  ): Promise<boolean> {
    const released = await queryRows(
      manager,
      {
        name: 'payees.releaseHold',
        row: idRow,
        sql: `UPDATE holds SET released_at = now(), released_by = $3 WHERE id = $1 AND payee = $2 AND released_at IS NULL
              RETURNING id`,
      },
      [holdId, payee, releasedBy],
    );
    return released.length > 0;
  }

  /** Per currency: what the payee's payouts not yet finished are sending (scheduled, submitting or submitted). */
  async inFlight(manager: EntityManager, payee: string): Promise<ReadonlyMap<string, bigint>> {
    const rows = await queryRows(
      manager,
      {
        name: 'payees.inFlight',
        row: inFlightRow,
        sql: `SELECT currency, sum(amount_minor)::text AS amount FROM payouts
               WHERE payee = $1 AND state IN ('scheduled', 'submitting', 'submitted') GROUP BY currency`,
      },
      [payee],
    );
    return new Map(rows.map((row) => [row.currency, row.amount]));
  }
}

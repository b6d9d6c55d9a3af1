import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { railColumn } from '../payees/payees.repository.js';
import { bigintText, queryOne, queryRows } from '@onecommons/persistence';

export const PAYOUT_STATES = [
  'scheduled',
  'submitting',
  'submitted',
  'succeeded',
  'failed',
  'reversed',
] as const;

export type PayoutState = (typeof PAYOUT_STATES)[number];

export const PAYOUT_COLUMNS = `id, payee, period, amount_minor::text AS amount_minor, currency, rail, payout_account_id,
  state, reference, failure_code, failure_reason, attempts, next_attempt_at, last_error, created_at, updated_at`;

/** A payout as `PAYOUT_COLUMNS` selects it. */
export const payoutRow = z.object({
  id: z.string(),
  payee: z.string(),
  period: z.string(),
  amount_minor: z.string().regex(/^\d+$/, { error: 'expected a whole number as text' }),
  currency: z.string(),
  rail: railColumn,
  payout_account_id: z.string(),
  state: z.enum(PAYOUT_STATES),
  reference: z.string().nullable(),
  failure_code: z.string().nullable(),
  failure_reason: z.string().nullable(),
  attempts: z.number().int(),
  next_attempt_at: z.date().nullable(),
  last_error: z.string().nullable(),
  created_at: z.date(),
  updated_at: z.date(),
});

export type PayoutRow = z.output<typeof payoutRow>;

export interface NewPayout {
  readonly id: string;
  readonly payee: string;
  readonly period: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly rail: PayoutRow['rail'];
  readonly payoutAccountId: string;
}

/** What a transition may record on the payout; each is kept when not given. */
export interface PayoutOutcome {
  readonly reference: string | null;
  readonly failureCode: string | null;
  readonly failureReason: string | null;
}

export interface PayoutQuery {
  readonly payee: string | null;
  readonly period: string | null;
  readonly state: PayoutState | null;
  /** The id the previous page ended with. */
  readonly afterId: string | null;
}

export interface PayoutTotal {
  readonly state: PayoutState;
  readonly currency: string;
  readonly payouts: number;
  readonly amountMinor: bigint;
}

/** A bank payout of a batch, with what its credit-transfer file needs. */
export interface BankPayout {
  readonly id: string;
  readonly payee: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly payoutAccountId: string;
  readonly detailsSealed: string;
  readonly batchCreatedAt: Date;
}

const bankPayoutRow = z
  .object({
    id: z.string(),
    amount_minor: bigintText,
    currency: z.string(),
    payee: z.string(),
    payout_account_id: z.string(),
    details_sealed: z.string(),
    created_at: z.date(),
  })
  .transform((row): BankPayout => ({
    id: row.id,
    payee: row.payee,
    amountMinor: row.amount_minor,
    currency: row.currency,
    payoutAccountId: row.payout_account_id,
    detailsSealed: row.details_sealed,
    batchCreatedAt: row.created_at,
  }));

const stateColumn = z.enum(PAYOUT_STATES);

const stateRow = z.object({ state: stateColumn });

/** A payout just claimed, with the state it was claimed from. */
const claimedRow = payoutRow.extend({ previous_state: stateColumn });

/** An open payout's due time and lease. */
export interface PayoutLease {
  readonly nextAttemptAt: Date;
  readonly leaseUntil: Date | null;
}

const leaseRow = z
  .object({ next_attempt_at: z.date(), lease_until: z.date().nullable() })
  .transform((row): PayoutLease => ({ nextAttemptAt: row.next_attempt_at, leaseUntil: row.lease_until }));

/** A payout paid by a Stripe transfer. */
export interface StripePayout {
  readonly id: string;
  readonly reference: string;
  readonly amountMinor: bigint;
}

const stripePayoutRow = z
  .object({ id: z.string(), reference: z.string(), amount_minor: bigintText })
  .transform((row): StripePayout => ({
    id: row.id,
    reference: row.reference,
    amountMinor: row.amount_minor,
  }));

const idRow = z.object({ id: z.string() });

const ageRow = z.object({ age: z.number() });

/** How many payouts are in a state. */
export interface StateCount {
  readonly state: PayoutState;
  readonly payouts: number;
}

const stateCountRow = z
  .object({ state: stateColumn, count: z.number().int() })
  .transform((row): StateCount => ({ state: row.state, payouts: row.count }));

/** The payouts' amounts in a state and currency, summed as a float (for a gauge). */
export interface StateAmount {
  readonly state: PayoutState;
  readonly currency: string;
  readonly amountMinor: number;
}

const stateAmountRow = z
  .object({ state: stateColumn, currency: z.string(), amount: z.number() })
  .transform((row): StateAmount => ({ state: row.state, currency: row.currency, amountMinor: row.amount }));

export interface PayoutTransitionEntry {
  readonly from: string | null;
  readonly to: string;
  /** As Postgres writes a timestamptz in JSON. */
  readonly at: string;
  readonly detail: string;
}

/** A payee's payout as its statement shows it: with every move it made. */
export interface PayoutWithTransitions {
  readonly id: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly rail: PayoutRow['rail'];
  readonly state: PayoutState;
  readonly reference: string | null;
  readonly failureCode: string | null;
  readonly transitions: readonly PayoutTransitionEntry[];
}

const payoutWithTransitionsRow = z
  .object({
    id: z.string(),
    amount_minor: bigintText,
    currency: z.string(),
    rail: railColumn,
    state: stateColumn,
    reference: z.string().nullable(),
    failure_code: z.string().nullable(),
    transitions: z.array(
      z.object({ from: z.string().nullable(), to: z.string(), at: z.string(), detail: z.string() }),
    ),
  })
  .transform((row): PayoutWithTransitions => ({
    id: row.id,
    amountMinor: row.amount_minor,
    currency: row.currency,
    rail: row.rail,
    state: row.state,
    reference: row.reference,
    failureCode: row.failure_code,
    transitions: row.transitions,
  }));

const payoutTotalRow = z
  .object({
    state: stateColumn,
    currency: z.string(),
    payouts: z.number().int(),
    amount: bigintText,
  })
  .transform((row): PayoutTotal => ({
    state: row.state,
    currency: row.currency,
    payouts: row.payouts,
    amountMinor: row.amount,
  }));

/** The payouts table: a payout's life (its scheduling, its moves and their log) and the reads of it. */
@Injectable()
export class PayoutsRepository {
  async byId(manager: EntityManager, payoutId: string): Promise<PayoutRow | null> {
    const [row] = await queryRows(
      manager,
      { name: 'payouts.byId', row: payoutRow, sql: `SELECT ${PAYOUT_COLUMNS} FROM payouts WHERE id = $1` },
      [payoutId],
    );
    return row ?? null;
  }

  /** At most `limit` payouts in id order, matching each filter given. */
  async list(manager: EntityManager, query: PayoutQuery, limit: number): Promise<PayoutRow[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.list',
        row: payoutRow,
        sql: `SELECT ${PAYOUT_COLUMNS} FROM payouts
               WHERE ($1::text IS NULL OR payee = $1) AND ($2::text IS NULL OR period = $2)
                 AND ($3::text IS NULL OR state = $3) AND ($4::uuid IS NULL OR id > $4)
               ORDER BY id LIMIT $5`,
      },
      [query.payee, query.period, query.state, query.afterId, limit],
    );
  }

  /** A batch's payouts counted and summed per state and currency. */
  async totalsOf(manager: EntityManager, period: string): Promise<PayoutTotal[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.totalsOf',
        row: payoutTotalRow,
        sql: `SELECT state, currency, count(*)::int AS payouts, sum(amount_minor)::text AS amount
                FROM payouts WHERE period = $1 GROUP BY state, currency ORDER BY state, currency`,
      },
      [period],
    );
  }

  /** The batch's bank payouts the bank has not answered yet, in id order. */
  async awaitingBank(manager: EntityManager, period: string): Promise<BankPayout[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.awaitingBank',
        row: bankPayoutRow,
        sql: `SELECT p.id, p.amount_minor::text AS amount_minor, p.currency, p.payee, p.payout_account_id, a.details_sealed,
                     b.created_at
                FROM payouts p JOIN payout_accounts a ON a.id = p.payout_account_id
                JOIN payout_batches b ON b.period = p.period
               WHERE p.period = $1 AND p.rail = 'bank' AND p.state = 'submitted' ORDER BY p.id`,
      },
      [period],
    );
  }

  /** A new payout, due at once. */
  async schedule(manager: EntityManager, payout: NewPayout): Promise<PayoutRow> {
    return queryOne(
      manager,
      {
        name: 'payouts.schedule',
        row: payoutRow,
        sql: `INSERT INTO payouts (id, payee, period, amount_minor, currency, rail, payout_account_id, state, next_attempt_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled', now()) RETURNING ${PAYOUT_COLUMNS}`,
      },
      [
        payout.id,
        payout.payee,
        payout.period,
        payout.amountMinor.toString(),
        payout.currency,
        payout.rail,
        payout.payoutAccountId,
      ],
    );
  }

  /** Locks the payout until the transaction ends; null when there is no such payout. */
  async lockState(manager: EntityManager, payoutId: string): Promise<PayoutState | null> {
    const [row] = await queryRows(
      manager,
      { name: 'payouts.lockState', row: stateRow, sql: 'SELECT state FROM payouts WHERE id = $1 FOR UPDATE' },
      [payoutId],
    );
    return row?.state ?? null;
  }

  /** Sets a locked payout's state; it is leased and due only while it may still be submitted. */
  async setState(
    manager: EntityManager,
    payoutId: string,
    to: PayoutState,
    outcome: PayoutOutcome,
  ): Promise<PayoutRow> {
    return queryOne(
      manager,
      {
        name: 'payouts.setState',
        row: payoutRow,
        sql: `UPDATE payouts SET state = $2, reference = coalesce($3, reference), failure_code = coalesce($4, failure_code),
                     failure_reason = coalesce($5, failure_reason), updated_at = now(),
                     lease_until = CASE WHEN $2 = 'submitting' THEN lease_until ELSE NULL END,
                     next_attempt_at = CASE WHEN $2 IN ('scheduled', 'submitting') THEN next_attempt_at ELSE NULL END
               WHERE id = $1 RETURNING ${PAYOUT_COLUMNS}`,
      },
      [payoutId, to, outcome.reference, outcome.failureCode, outcome.failureReason],
    );
  }

  async logTransition(
    manager: EntityManager,
    payoutId: string,
    from: PayoutState | null,
    to: PayoutState,
    detail: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO payout_transitions (payout_id, from_state, to_state, detail) VALUES ($1, $2, $3, $4)`,
      [payoutId, from, to, detail.slice(0, 1000)],
    );
  }

  /**
   * Claims a due payout nobody leases, as submitting, for `leaseSeconds`: one more attempt. Null when it is not
   * due, leased by another worker or no longer open.
   */
  async claim(
    manager: EntityManager,
    payoutId: string,
    leaseSeconds: number,
  ): Promise<{ readonly payout: PayoutRow; readonly previousState: PayoutState } | null> {
    const [claimed] = await queryRows(
      manager,
      {
        name: 'payouts.claim',
        row: claimedRow,
        sql: `UPDATE payouts SET state = 'submitting', attempts = attempts + 1, updated_at = now(),
                     lease_until = now() + make_interval(secs => $2)
               WHERE id = $1 AND state IN ('scheduled', 'submitting') AND next_attempt_at <= now()
                 AND (lease_until IS NULL OR lease_until < now())
               RETURNING ${PAYOUT_COLUMNS}, (SELECT state FROM payouts p WHERE p.id = $1) AS previous_state`,
      },
      [payoutId, leaseSeconds],
    );
    if (!claimed) return null;
    const { previous_state: previousState, ...payout } = claimed;
    return { payout, previousState };
  }

  /** Null when the payout is not open (scheduled or submitting). */
  async leaseOf(manager: EntityManager, payoutId: string): Promise<PayoutLease | null> {
    const [lease] = await queryRows(
      manager,
      {
        name: 'payouts.leaseOf',
        row: leaseRow,
        sql: `SELECT next_attempt_at, lease_until FROM payouts WHERE id = $1 AND state IN ('scheduled', 'submitting')`,
      },
      [payoutId],
    );
    return lease ?? null;
  }

  /** Gives a submitting payout's lease back, due again at `at`, with the error of its attempt. */
  async retryAt(manager: EntityManager, payoutId: string, at: Date, error: string): Promise<void> {
    await manager.query(
      `UPDATE payouts SET lease_until = NULL, next_attempt_at = $2, last_error = $3, updated_at = now()
        WHERE id = $1 AND state = 'submitting'`,
      [payoutId, at, error.slice(0, 1000)],
    );
  }

  /** At most `limit` open payouts that are due and not leased, the longest due first. */
  async dueIds(manager: EntityManager, limit: number): Promise<string[]> {
    const rows = await queryRows(
      manager,
      {
        name: 'payouts.dueIds',
        row: idRow,
        sql: `SELECT id FROM payouts
               WHERE state IN ('scheduled', 'submitting') AND next_attempt_at <= now()
                 AND (lease_until IS NULL OR lease_until < now())
               ORDER BY next_attempt_at LIMIT $1`,
      },
      [limit],
    );
    return rows.map((row) => row.id);
  }

  /** At most `limit` Stripe payouts that succeeded in the last 60 days, the latest updated first. */
  async recentlyPaidOnStripe(manager: EntityManager, limit: number): Promise<StripePayout[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.recentlyPaidOnStripe',
        row: stripePayoutRow,
        sql: `SELECT id, reference, amount_minor::text AS amount_minor FROM payouts
               WHERE state = 'succeeded' AND rail = 'stripe' AND reference IS NOT NULL
                 AND updated_at > now() - interval '60 days'
               ORDER BY updated_at DESC LIMIT $1`,
      },
      [limit],
    );
  }

  /** A payee's payouts of a batch, in id order, each with its transitions in order. */
  async ofPayeeWithTransitions(
    manager: EntityManager,
    payee: string,
    period: string,
  ): Promise<PayoutWithTransitions[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.ofPayeeWithTransitions',
        row: payoutWithTransitionsRow,
        sql: `SELECT p.id, p.amount_minor::text AS amount_minor, p.currency, p.rail, p.state, p.reference, p.failure_code,
                     coalesce((SELECT json_agg(json_build_object('from', t.from_state, 'to', t.to_state, 'at', t.at,
                                                                 'detail', t.detail) ORDER BY t.id)
                                 FROM payout_transitions t WHERE t.payout_id = p.id), '[]') AS transitions
                FROM payouts p WHERE p.payee = $1 AND p.period = $2 ORDER BY p.id`,
      },
      [payee, period],
    );
  }

  /** How long the oldest payout not yet paid or failed (scheduled, submitting, submitted) has waited; 0 when none. */
  async oldestOpenAgeSeconds(manager: EntityManager): Promise<number> {
    const [row] = await queryRows(
      manager,
      {
        name: 'payouts.oldestOpenAgeSeconds',
        row: ageRow,
        sql: `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age FROM payouts
               WHERE state IN ('scheduled', 'submitting', 'submitted')`,
      },
      [],
    );
    return row?.age ?? 0;
  }

  /** The states payouts are in, with how many are in each (a state without any is left out). */
  async countByState(manager: EntityManager): Promise<StateCount[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.countByState',
        row: stateCountRow,
        sql: 'SELECT state, count(*)::int AS count FROM payouts GROUP BY state',
      },
      [],
    );
  }

  /** The payouts' amounts per state and currency (a pair without any is left out). */
  async amountByStateAndCurrency(manager: EntityManager): Promise<StateAmount[]> {
    return queryRows(
      manager,
      {
        name: 'payouts.amountByStateAndCurrency',
        row: stateAmountRow,
        sql: 'SELECT state, currency, sum(amount_minor)::float8 AS amount FROM payouts GROUP BY state, currency',
      },
      [],
    );
  }
}

import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  PayoutFailedV1,
  PayoutReversedV1,
  PayoutScheduledV1,
  PayoutSucceededV1,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { AfterCommit } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { PayoutMetrics } from './payout-metrics.js';

export type PayoutState = 'scheduled' | 'submitting' | 'submitted' | 'succeeded' | 'failed' | 'reversed';

/** The state machine: which states each state may follow. Terminal: failed, reversed. */
const ALLOWED_FROM: Record<PayoutState, readonly PayoutState[]> = {
  scheduled: [],
  submitting: ['scheduled', 'submitting'],
  submitted: ['submitting'],
  succeeded: ['submitting', 'submitted'],
  failed: ['submitting', 'submitted'],
  reversed: ['succeeded'],
};

export interface PayoutRow {
  id: string;
  payee: string;
  period: string;
  amount_minor: string;
  currency: string;
  rail: 'stripe' | 'bank';
  payout_account_id: string;
  state: PayoutState;
  reference: string | null;
  failure_code: string | null;
  failure_reason: string | null;
  attempts: number;
  next_attempt_at: Date | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
}

export const PAYOUT_COLUMNS = `id, payee, period, amount_minor::text AS amount_minor, currency, rail, payout_account_id,
  state, reference, failure_code, failure_reason, attempts, next_attempt_at, last_error, created_at, updated_at`;

export interface TransitionFacts {
  readonly reference?: string;
  readonly code?: string;
  readonly reason?: string;
  /** What the transition log says happened. */
  readonly detail: string;
}

const SOURCE = { source: '/onecommons/payouts' };

/**
 * Moves a payout from one state to the next in the caller's transaction: the row (guarded by the states it may
 * come from, so two workers cannot both finish it), the transition log, and the event the ledger mirrors.
 */
@Injectable()
export class PayoutTransitions {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly afterCommit: AfterCommit,
    private readonly metrics: PayoutMetrics,
  ) {}

  /** Records a new payout's first state and announces it. */
  async scheduled(manager: EntityManager, payout: PayoutRow): Promise<void> {
    await this.log(manager, payout.id, null, 'scheduled', `batch ${payout.period}`);
    await this.outbox.append(manager, [createEvent(PayoutScheduledV1, fieldsOf(payout), SOURCE)]);
    this.count(manager, 'scheduled');
  }

  /** The moved row, or null when the payout was not in a state `to` may follow (someone else moved it). */
  async move(
    manager: EntityManager,
    payoutId: string,
    to: Exclude<PayoutState, 'scheduled'>,
    facts: TransitionFacts,
  ): Promise<PayoutRow | null> {
    const [before] = (await manager.query(`SELECT state FROM payouts WHERE id = $1 FOR UPDATE`, [
      payoutId,
    ])) as {
      state: PayoutState;
    }[];
    if (!before || !ALLOWED_FROM[to].includes(before.state)) return null;
    const [rows] = (await manager.query(
      `UPDATE payouts SET state = $2, reference = coalesce($3, reference), failure_code = coalesce($4, failure_code),
              failure_reason = coalesce($5, failure_reason), updated_at = now(),
              lease_until = CASE WHEN $2 = 'submitting' THEN lease_until ELSE NULL END,
              next_attempt_at = CASE WHEN $2 IN ('scheduled', 'submitting') THEN next_attempt_at ELSE NULL END
        WHERE id = $1 RETURNING ${PAYOUT_COLUMNS}`,
      [payoutId, to, facts.reference ?? null, facts.code ?? null, facts.reason ?? null],
    )) as [PayoutRow[], number];
    const payout = rows[0] as PayoutRow;
    if (before.state !== to) await this.log(manager, payoutId, before.state, to, facts.detail);
    const event = this.eventOf(payout, to, facts);
    if (event) await this.outbox.append(manager, [event]);
    if (before.state !== to) this.count(manager, to);
    return payout;
  }

  private eventOf(payout: PayoutRow, to: PayoutState, facts: TransitionFacts): CloudEvent<unknown> | null {
    const fields = fieldsOf(payout);
    const reference = payout.reference ?? facts.reference ?? '';
    if (to === 'succeeded')
      return createEvent(PayoutSucceededV1, { ...fields, reference }, SOURCE) as CloudEvent<unknown>;
    if (to === 'failed')
      return createEvent(
        PayoutFailedV1,
        { ...fields, code: facts.code ?? 'failed', reason: (facts.reason ?? '').slice(0, 500) },
        SOURCE,
      ) as CloudEvent<unknown>;
    if (to === 'reversed')
      return createEvent(
        PayoutReversedV1,
        { ...fields, reference, reason: (facts.reason ?? '').slice(0, 500) },
        SOURCE,
      ) as CloudEvent<unknown>;
    return null;
  }

  private async log(
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

  private count(manager: EntityManager, state: PayoutState): void {
    this.afterCommit.schedule(manager, () => {
      this.metrics.transitions.inc({ state });
      return Promise.resolve();
    });
  }
}

function fieldsOf(payout: PayoutRow) {
  return {
    payoutId: payout.id,
    payee: payout.payee,
    period: payout.period,
    amountMinor: payout.amount_minor,
    currency: payout.currency,
    rail: payout.rail,
  };
}

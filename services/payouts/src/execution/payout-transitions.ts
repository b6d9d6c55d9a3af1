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
import { type NewPayout, type PayoutRow, type PayoutState, PayoutsRepository } from './payouts.repository.js';

/** The state machine: which states each state may follow. Terminal: failed, reversed. */
const ALLOWED_FROM: Record<PayoutState, readonly PayoutState[]> = {
  scheduled: [],
  submitting: ['scheduled', 'submitting'],
  submitted: ['submitting'],
  succeeded: ['submitting', 'submitted'],
  failed: ['submitting', 'submitted'],
  reversed: ['succeeded'],
};

export interface TransitionFacts {
  readonly reference?: string;
  readonly code?: string;
  readonly reason?: string;
  /** What the transition log says happened. */
  readonly detail: string;
}

const SOURCE = { source: '/onecommons/payouts' };

/**
 * Creates a payout and moves it from one state to the next in the caller's transaction: the row (guarded by the states it may
 * come from, so two workers cannot both finish it), the transition log, and the event the ledger mirrors.
 */
@Injectable()
export class PayoutTransitions {
  constructor(
    private readonly payouts: PayoutsRepository,
    private readonly outbox: OutboxWriter,
    private readonly afterCommit: AfterCommit,
    private readonly metrics: PayoutMetrics,
  ) {}

  /** Creates a payout in its first state, due at once, and announces it. */
  async schedule(manager: EntityManager, newPayout: NewPayout): Promise<PayoutRow> {
    const payout = await this.payouts.schedule(manager, newPayout);
    await this.payouts.logTransition(manager, payout.id, null, 'scheduled', `batch ${payout.period}`);
    await this.outbox.append(manager, [createEvent(PayoutScheduledV1, fieldsOf(payout), SOURCE)]);
    this.count(manager, 'scheduled');
    return payout;
  }

  /** The moved row, or null when the payout was not in a state `to` may follow (someone else moved it). */
  async move(
    manager: EntityManager,
    payoutId: string,
    to: Exclude<PayoutState, 'scheduled'>,
    facts: TransitionFacts,
  ): Promise<PayoutRow | null> {
    const from = await this.payouts.lockState(manager, payoutId);
    if (!from || !ALLOWED_FROM[to].includes(from)) return null;
    const payout = await this.payouts.setState(manager, payoutId, to, {
      reference: facts.reference ?? null,
      failureCode: facts.code ?? null,
      failureReason: facts.reason ?? null,
    });
    if (from !== to) await this.payouts.logTransition(manager, payoutId, from, to, facts.detail);
    const event = this.eventOf(payout, to, facts);
    if (event) await this.outbox.append(manager, [event]);
    if (from !== to) this.count(manager, to);
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

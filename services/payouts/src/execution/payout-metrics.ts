import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { everyCombination, processCounter } from '@onecommons/telemetry';
import { Gauge, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { PAYOUT_STATES, PayoutsRepository } from './payouts.repository.js';

const STATES = PAYOUT_STATES;

const RAIL_OUTCOMES = ['paid', 'declined', 'unavailable', 'error'] as const;

const transitions = () =>
  processCounter(
    {
      name: 'onecommons_payouts_transitions_total',
      help: 'Payout state changes by the state entered',
      labelNames: ['state'],
    },
    everyCombination({ state: STATES }),
  );

const railCalls = () =>
  processCounter(
    {
      name: 'onecommons_payouts_rail_calls_total',
      help: 'Calls to payout rails by outcome: paid, declined, unavailable, error',
      labelNames: ['rail', 'outcome'],
    },
    everyCombination({ rail: ['stripe', 'bank'], outcome: RAIL_OUTCOMES }),
  );

/**
 * Payouts by state, amounts by state and currency, and the oldest open payout's age, read from Postgres (the
 * truth) at each scrape; every state and the configured currencies are reported, zeros included, so a
 * dashboard shows 0 rather than nothing before the first payout.
 */
@Injectable()
export class PayoutMetrics implements OnModuleInit {
  readonly transitions = transitions();
  readonly railCalls = railCalls();

  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  onModuleInit(): void {
    const dataSource = this.dataSource;
    const payouts = this.payouts;
    const currencies = [...this.config.PAYOUTS_THRESHOLDS_MINOR.keys()];
    for (const name of [
      'onecommons_payouts_payouts',
      'onecommons_payouts_amount_minor',
      'onecommons_payouts_oldest_open_seconds',
    ])
      register.removeSingleMetric(name);
    new Gauge({
      name: 'onecommons_payouts_oldest_open_seconds',
      help: 'Age of the oldest payout not yet paid or failed (scheduled, submitting, submitted); 0 when none',
      async collect() {
        this.set(await payouts.oldestOpenAgeSeconds(dataSource.manager));
      },
    });
    new Gauge({
      name: 'onecommons_payouts_payouts',
      help: 'Payouts by state',
      labelNames: ['state'] as const,
      async collect() {
        const counts = await payouts.countByState(dataSource.manager);
        this.reset();
        for (const state of STATES) this.set({ state }, 0);
        for (const count of counts) this.set({ state: count.state }, count.payouts);
      },
    });
    new Gauge({
      name: 'onecommons_payouts_amount_minor',
      help: 'Payout amounts (minor units) by state and currency',
      labelNames: ['state', 'currency'] as const,
      async collect() {
        const amounts = await payouts.amountByStateAndCurrency(dataSource.manager);
        this.reset();
        for (const currency of currencies) for (const state of STATES) this.set({ state, currency }, 0);
        for (const amount of amounts)
          this.set({ state: amount.state, currency: amount.currency }, amount.amountMinor);
      },
    });
  }
}

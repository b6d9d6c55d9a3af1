import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { everyCombination, gauge, processCounter, refreshOnScrape } from '@onecommons/telemetry';
import { Histogram, register } from 'prom-client';
import { DataSource } from 'typeorm';
import { OpenPeriodsRepository } from './open-periods.repository.js';

// One metric per name in the process registry (tests boot several ledgers in one process).

// Both are made when the module loads, so they are exposed (at 0) before the first close.
const closeDurations =
  (register.getSingleMetric('onecommons_ledger_period_close_duration_seconds') as Histogram | undefined) ??
  new Histogram({
    name: 'onecommons_ledger_period_close_duration_seconds',
    help: 'Time to close a period: read the input, allocate, post, record',
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
  });

export const closeDuration = (): Histogram => closeDurations;

/** succeeded, failed, usage_not_consumed (waits for usage), usage_beyond_watermark (refused, a bug). */
export type PeriodCloseOutcome = 'succeeded' | 'failed' | 'usage_not_consumed' | 'usage_beyond_watermark';
const CLOSE_OUTCOMES: readonly PeriodCloseOutcome[] = [
  'succeeded',
  'failed',
  'usage_not_consumed',
  'usage_beyond_watermark',
];

const closes = processCounter(
  {
    name: 'onecommons_ledger_period_closes_total',
    help: 'Period closes by outcome',
    labelNames: ['outcome'],
  },
  everyCombination({ outcome: CLOSE_OUTCOMES }),
);

/** Counts a close attempt's outcome. */
export function countPeriodClose(outcome: PeriodCloseOutcome): void {
  closes.inc({ outcome });
}

/**
 * Per open period, read at each scrape: how many of metering's usage announcements the ledger has still to apply
 * (0 before metering sealed it; negative when it applied more than announced, a bug), and how long its close has
 * been waiting since it was requested (0 when not requested).
 */
@Injectable()
export class PeriodCloseMetrics implements OnModuleInit {
  private readonly logger = new Logger('PeriodCloseMetrics');
  private readonly behind = gauge(
    'onecommons_ledger_usage_announcements_behind',
    'Per open period: UsageRecorded events metering announced (sealed) that the ledger has not applied; 0 until sealed, negative is a bug',
    ['period'],
  );
  private readonly waiting = gauge(
    'onecommons_ledger_period_close_waiting_seconds',
    'Per open period: seconds since its close was requested (0 when not requested); it closes once its usage is complete',
    ['period'],
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly openPeriods: OpenPeriodsRepository,
  ) {}

  onModuleInit(): void {
    refreshOnScrape(
      [this.behind, this.waiting],
      () => this.refresh(),
      (error) => this.logger.warn(`period close metrics not refreshed: ${String(error)}`),
    );
  }

  private async refresh(): Promise<void> {
    const rows = await this.openPeriods.waits(this.dataSource.manager);
    // Closed periods leave the gauges.
    this.behind.reset();
    this.waiting.reset();
    for (const row of rows) {
      this.behind.set({ period: row.period }, Number(row.behind));
      this.waiting.set({ period: row.period }, Math.round(row.waitingSeconds));
    }
  }
}

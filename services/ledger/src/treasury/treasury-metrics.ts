import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { periodEnd, periodOf } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { gauge, refreshOnScrape } from '@onecommons/telemetry';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { PeriodPrices } from './period-prices.js';
import { TreasuryRepository } from './treasury.repository.js';

/**
 * The treasury's state as Prometheus gauges, read from the ledger's balances at each scrape: the reserve, what the
 * outstanding tokens redeem for at the valuation price, the residue between them (must never be negative: the
 * reserve invariant) and the token supply; and the end of the oldest period not closed yet (close overdue).
 */
@Injectable()
export class TreasuryMetrics implements OnModuleInit {
  private readonly logger = new Logger('TreasuryMetrics');
  private readonly reserve = gauge(
    'onecommons_treasury_reserve_minor',
    'Currency held by the reserve, minor units',
    ['currency'],
  );
  private readonly redeemable = gauge(
    'onecommons_treasury_outstanding_redeemable_minor',
    'What the outstanding tokens redeem for at the valuation price, minor units (floor per holder)',
    ['currency'],
  );
  private readonly residue = gauge(
    'onecommons_treasury_rounding_residue_minor',
    'Reserve minus what outstanding tokens redeem for; negative means the reserve invariant is broken',
    ['currency'],
  );
  private readonly supply = gauge('onecommons_treasury_token_supply_ucc', 'Tokens outstanding, uCC');
  private readonly oldestOpen = gauge(
    'onecommons_ledger_oldest_open_period_end_timestamp_seconds',
    'End (unix seconds) of the oldest period with tokens or usage that is not closed',
  );

  constructor(
    private readonly dataSource: DataSource,
    private readonly prices: PeriodPrices,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
    private readonly rows: TreasuryRepository,
  ) {}

  onModuleInit(): void {
    refreshOnScrape(
      [this.reserve, this.redeemable, this.residue, this.supply, this.oldestOpen],
      () => this.refresh(),
      (error) => this.logger.warn(`treasury metrics not refreshed: ${String(error)}`),
    );
  }

  private async refresh(): Promise<void> {
    const currency = this.config.LEDGER_CURRENCY;
    await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const price = await this.prices.valuation(manager);
      const snapshot = await this.rows.snapshot(manager, currency, price);
      if (!snapshot) return;
      this.reserve.set({ currency }, Number(snapshot.reserve));
      this.redeemable.set({ currency }, Number(snapshot.redeemable));
      this.residue.set({ currency }, Number(snapshot.reserve - snapshot.redeemable));
      this.supply.set(Number(snapshot.supply));
      // With every period closed, the current one is the oldest open: its end is ahead, nothing is overdue.
      const oldest = snapshot.oldestOpen;
      this.oldestOpen.set(periodEnd(oldest ?? periodOf(new Date())).getTime() / 1000);
    });
  }
}

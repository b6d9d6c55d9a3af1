import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { periodEnd, periodOf } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { gauge, refreshOnScrape } from '@onecommons/telemetry';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { TreasuryAccount } from './accounts.js';
import { PeriodPrices } from './period-prices.js';

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
      const [row] = (await manager.query(
        `SELECT
           coalesce((SELECT balance FROM ledger_balances WHERE account = $1 AND unit = $2), 0)::text AS reserve,
           coalesce((SELECT -balance FROM ledger_balances WHERE account = $3 AND unit = 'uCC'), 0)::text AS supply,
           coalesce((SELECT sum(floor(balance * $4::numeric / ($5::numeric * 1000000))) FROM ledger_balances
                      WHERE unit = 'uCC' AND balance > 0 AND account <> $3), 0)::text AS redeemable,
           (SELECT min(period) FROM (SELECT period FROM subscriber_tokens UNION SELECT period FROM usage_quantities) p
             WHERE period NOT IN (SELECT period FROM period_closes)) AS oldest_open`,
        [
          TreasuryAccount.reserve,
          currency,
          TreasuryAccount.issued,
          price.num.toString(),
          price.den.toString(),
        ],
      )) as { reserve: string; supply: string; redeemable: string; oldest_open: string | null }[];
      if (!row) return;
      this.reserve.set({ currency }, Number(row.reserve));
      this.redeemable.set({ currency }, Number(row.redeemable));
      this.residue.set({ currency }, Number(BigInt(row.reserve) - BigInt(row.redeemable)));
      this.supply.set(Number(row.supply));
      // With every period closed, the current one is the oldest open: its end is ahead, nothing is overdue.
      const oldest = row.oldest_open;
      this.oldestOpen.set(periodEnd(oldest ?? periodOf(new Date())).getTime() / 1000);
    });
  }
}

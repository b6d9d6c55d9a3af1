import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { PeriodicTask, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type PayoutsConfig } from '../config.js';
import { StripeTransferRail } from '../rails/stripe-transfer-rail.js';
import { PayoutQueue } from './payout-queue.js';
import { PayoutTransitions } from './payout-transitions.js';
import { PayoutsRepository } from './payouts.repository.js';

const BATCH = 200;

/**
 * Transfers can be reversed at the rail after they were paid (the connected account's bank returned them):
 * every interval, recent paid Stripe payouts are read back from Stripe, and a fully reversed one is marked
 * reversed, which returns its amount to the payee's payable balance through the ledger.
 */
@Injectable()
export class RailReversalSync implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RailReversalSync');
  private readonly task = new PeriodicTask('RailReversalSync', () => this.markReversed(), 0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly payouts: PayoutsRepository,
    private readonly stripe: StripeTransferRail,
    private readonly transitions: PayoutTransitions,
    private readonly queue: PayoutQueue,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
    private readonly leader: ServiceLeader,
  ) {}

  onApplicationBootstrap(): void {
    // On the leader only: a second replica would ask Stripe about the same transfers again.
    if (this.queue.serving)
      this.task.start(this.config.PAYOUTS_RAIL_SYNC_INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Marks the paid Stripe payouts Stripe reports reversed; returns how many. */
  sync(): Promise<number> {
    return this.task.runNow();
  }

  private async markReversed(): Promise<number> {
    const paid = await this.payouts.recentlyPaidOnStripe(this.dataSource.manager, BATCH);
    let reversed = 0;
    for (const payout of paid) {
      const transfer = await this.stripe.retrieve(payout.reference);
      if (transfer.reversedMinor === 0n) continue;
      if (transfer.reversedMinor < payout.amountMinor) {
        this.logger.warn(
          `payout ${payout.id}: Stripe reversed ${transfer.reversedMinor} of ${payout.amountMinor}; partial reversals need an admin`,
        );
        continue;
      }
      const moved = await this.dataSource.transaction((manager) =>
        this.transitions.move(manager, payout.id, 'reversed', {
          reference: payout.reference,
          reason: 'reversed at the rail',
          detail: `Stripe reports transfer ${payout.reference} reversed`,
        }),
      );
      if (moved) reversed++;
    }
    if (reversed > 0) this.logger.log(`${reversed} payouts were reversed at Stripe`);
    return reversed;
  }
}

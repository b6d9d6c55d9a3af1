import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CloudEvent, type DataOf, PeriodClosedV1, uuidV7 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { AfterCommit, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { BalancesRepository } from '../balances/balances.repository.js';
import { type PayoutsConfig, thresholdFor } from '../config.js';
import { PayoutQueue } from '../execution/payout-queue.js';
import { PayoutTransitions } from '../execution/payout-transitions.js';
import { PayeesRepository } from '../payees/payees.repository.js';
import { BatchesRepository } from './batches.repository.js';
import { lineOutcome, payoutThreshold, reasonOf } from './payout-decision.js';

/**
 * A period's payout batch, made once when the ledger announces the close (its redemptions and the adjustments
 * posted in the period arrived first, on the same key): every payee with a non-zero payable balance gets a line,
 * decided by `lineOutcome`, and a payout when it is paid. The payouts' jobs are queued after the commit; the
 * sweeper covers a lost one.
 */
@Injectable()
export class PayoutBatches {
  private readonly logger = new Logger('PayoutBatches');

  constructor(
    private readonly batches: BatchesRepository,
    private readonly payees: PayeesRepository,
    private readonly balances: BalancesRepository,
    private readonly transitions: PayoutTransitions,
    private readonly queue: PayoutQueue,
    private readonly afterCommit: AfterCommit,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {}

  @OnEvent(PeriodClosedV1)
  async onPeriodClosed(
    event: CloudEvent<DataOf<typeof PeriodClosedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.run(manager, event.data.period);
  }

  async run(manager: EntityManager, period: string): Promise<void> {
    if (!(await this.batches.create(manager, period))) return;
    const scheduled: string[] = [];
    const counts = { paid: 0, carried: 0, held: 0 };
    for (const balance of await this.balances.all(manager)) {
      if (balance.amountMinor === 0n) continue;
      const standing = await this.payees.standingOf(manager, balance.payee);
      const threshold = payoutThreshold(thresholdFor(this.config, balance.currency), standing);
      const line = lineOutcome(balance.amountMinor, threshold, standing);
      counts[line.outcome]++;
      let payoutId: string | null = null;
      if (line.outcome === 'paid') {
        payoutId = uuidV7();
        await this.transitions.schedule(manager, {
          id: payoutId,
          payee: balance.payee,
          period,
          amountMinor: balance.amountMinor,
          currency: balance.currency,
          rail: line.account.rail,
          payoutAccountId: line.account.id,
        });
        scheduled.push(payoutId);
      }
      await this.batches.addLine(manager, {
        period,
        payee: balance.payee,
        currency: balance.currency,
        availableMinor: balance.amountMinor,
        outcome: line.outcome,
        reason: reasonOf(line),
        payoutId,
      });
    }
    this.logger.log(
      `batch ${period}: ${counts.paid} paid, ${counts.carried} carried forward, ${counts.held} held`,
    );
    this.afterCommit.schedule(manager, async () => {
      for (const id of scheduled) await this.queue.enqueue(id);
    });
  }
}

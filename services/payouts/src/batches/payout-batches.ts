import { Inject, Injectable, Logger } from '@nestjs/common';
import { type CloudEvent, type DataOf, PeriodClosedV1, uuidV7 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { AfterCommit, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { PayableBalances } from '../balances/payable-balances.js';
import { type PayoutsConfig, thresholdFor } from '../config.js';
import { lineOutcome, type PayeeStanding, payoutThreshold, reasonOf } from './payout-decision.js';
import { PayoutQueue } from '../execution/payout-queue.js';
import { PAYOUT_COLUMNS, type PayoutRow, PayoutTransitions } from '../execution/payout-transitions.js';

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
    private readonly balances: PayableBalances,
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
    const [created] = (await manager.query(
      `INSERT INTO payout_batches (period) VALUES ($1) ON CONFLICT (period) DO NOTHING RETURNING period`,
      [period],
    )) as { period: string }[];
    if (!created) return;
    const scheduled: string[] = [];
    const counts = { paid: 0, carried: 0, held: 0 };
    for (const balance of await this.balances.all(manager)) {
      if (balance.amountMinor === 0n) continue;
      const standing = await this.standingOf(manager, balance.payee);
      const threshold = payoutThreshold(thresholdFor(this.config, balance.currency), standing);
      const line = lineOutcome(balance.amountMinor, threshold, standing);
      counts[line.outcome]++;
      let payoutId: string | null = null;
      if (line.outcome === 'paid') {
        payoutId = uuidV7();
        const [payout] = (await manager.query(
          `INSERT INTO payouts (id, payee, period, amount_minor, currency, rail, payout_account_id, state, next_attempt_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, 'scheduled', now()) RETURNING ${PAYOUT_COLUMNS}`,
          [
            payoutId,
            balance.payee,
            period,
            balance.amountMinor.toString(),
            balance.currency,
            line.account.rail,
            line.account.id,
          ],
        )) as PayoutRow[];
        await this.transitions.scheduled(manager, payout as PayoutRow);
        scheduled.push(payoutId);
      }
      await manager.query(
        `INSERT INTO batch_lines (period, payee, currency, available_minor, outcome, reason, payout_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          period,
          balance.payee,
          balance.currency,
          balance.amountMinor.toString(),
          line.outcome,
          reasonOf(line),
          payoutId,
        ],
      );
    }
    this.logger.log(
      `batch ${period}: ${counts.paid} paid, ${counts.carried} carried forward, ${counts.held} held`,
    );
    this.afterCommit.schedule(manager, async () => {
      for (const id of scheduled) await this.queue.enqueue(id);
    });
  }

  private async standingOf(manager: EntityManager, payee: string): Promise<PayeeStanding> {
    const [row] = (await manager.query(
      `SELECT p.threshold_minor::text AS threshold_minor, a.id AS account_id, a.rail, a.status AS account_status,
              (SELECT h.reason FROM holds h WHERE h.payee = p.payee AND h.released_at IS NULL
                ORDER BY h.placed_at LIMIT 1) AS hold_reason
         FROM payees p LEFT JOIN payout_accounts a ON a.payee = p.payee AND a.active
        WHERE p.payee = $1`,
      [payee],
    )) as StandingRow[];
    if (!row) return { ownThresholdMinor: null, account: null, holdReason: null };
    return {
      ownThresholdMinor: row.threshold_minor === null ? null : BigInt(row.threshold_minor),
      account:
        row.account_id === null ? null : { id: row.account_id, rail: row.rail, status: row.account_status },
      holdReason: row.hold_reason,
    };
  }
}

type StandingRow =
  | {
      threshold_minor: string | null;
      account_id: string;
      rail: 'stripe' | 'bank';
      account_status: 'verified' | 'unverified';
      hold_reason: string | null;
    }
  | {
      threshold_minor: string | null;
      account_id: null;
      rail: null;
      account_status: null;
      hold_reason: string | null;
    };

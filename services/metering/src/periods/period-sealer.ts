import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  createEvent,
  type DataOf,
  PeriodClosedV1,
  PeriodCloseRequestedV1,
  UsagePeriodSealedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent, OutboxWriter } from '@onecommons/kafka';
import { everyCombination, processCounter } from '@onecommons/telemetry';
import { type EntityManager } from 'typeorm';
import { lockPeriodForSeal } from './period-lock.js';
import { type PeriodSeal, PeriodsRepository, SEAL_REASONS, type SealReason } from './periods.repository.js';

const seals = processCounter(
  {
    name: 'onecommons_metering_period_seals_total',
    help: 'Period seals by reason, and whether the period was sealed now or its watermark published again',
    labelNames: ['reason', 'outcome'],
  },
  everyCombination({ reason: SEAL_REASONS, outcome: ['sealed', 'republished'] }),
);

/**
 * Seals a period when the ledger asks to close it (or, as a safety net, has closed it): from then on metering
 * takes no usage and no announced correction for it, and it publishes the period's watermark, the number of
 * UsageRecorded it announced for it. Once per period; a repeated request publishes the same watermark again,
 * so a lost or replayed exchange heals (the ledger upserts it).
 */
@Injectable()
export class PeriodSealer {
  constructor(
    private readonly periods: PeriodsRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  @OnEvent(PeriodCloseRequestedV1)
  async onCloseRequested(
    event: CloudEvent<DataOf<typeof PeriodCloseRequestedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.seal(context.manager, event.data.period, 'close_requested');
  }

  /** The ledger closes only after a request, which sealed the period; this covers a close without one. */
  @OnEvent(PeriodClosedV1)
  async onPeriodClosed(
    event: CloudEvent<DataOf<typeof PeriodClosedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.seal(context.manager, event.data.period, 'period_closed');
  }

  private async seal(manager: EntityManager, period: string, reason: SealReason): Promise<void> {
    await lockPeriodForSeal(manager, period);
    const sealed = await this.periods.sealOf(manager, period);
    if (sealed) {
      // The ledger has the watermark already when it announces the close; a request asks for it again.
      if (reason === 'period_closed') return;
      await this.publish(manager, period, sealed);
      seals.inc({ reason: sealed.reason, outcome: 'republished' });
      return;
    }
    const seal: PeriodSeal = {
      // Final: read under the period's exclusive seal lock.
      announcements: await this.periods.announcementCount(manager, period),
      reason,
      sealedAt: new Date(),
    };
    await this.periods.addSeal(manager, period, seal);
    await this.publish(manager, period, seal);
    seals.inc({ reason, outcome: 'sealed' });
  }

  private async publish(manager: EntityManager, period: string, seal: PeriodSeal): Promise<void> {
    await this.outbox.append(manager, [
      createEvent(
        UsagePeriodSealedV1,
        {
          period,
          announcements: seal.announcements.toString(),
          reason: seal.reason,
          sealedAt: seal.sealedAt.toISOString(),
        },
        { source: '/onecommons/metering' },
      ),
    ]);
  }
}

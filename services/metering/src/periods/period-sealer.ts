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
import { UsageAnnouncements } from './usage-announcements.js';

type SealReason = DataOf<typeof UsagePeriodSealedV1>['reason'];

const reasons: readonly SealReason[] = ['close_requested', 'period_closed'];
const seals = processCounter(
  {
    name: 'onecommons_metering_period_seals_total',
    help: 'Period seals by reason, and whether the period was sealed now or its watermark published again',
    labelNames: ['reason', 'outcome'],
  },
  everyCombination({ reason: reasons, outcome: ['sealed', 'republished'] }),
);

interface SealRow {
  announcements: string;
  reason: SealReason;
  sealed_at: Date;
}

/**
 * Seals a period when the ledger asks to close it (or, as a safety net, has closed it): from then on metering
 * takes no usage and no announced correction for it, and it publishes the period's watermark, the number of
 * UsageRecorded it announced for it. Once per period; a repeated request publishes the same watermark again,
 * so a lost or replayed exchange heals (the ledger upserts it).
 */
@Injectable()
export class PeriodSealer {
  constructor(
    private readonly announcements: UsageAnnouncements,
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
    const [sealed] = (await manager.query(
      `SELECT announcements::text AS announcements, reason, sealed_at FROM period_seals WHERE period = $1`,
      [period],
    )) as SealRow[];
    if (sealed) {
      // The ledger has the watermark already when it announces the close; a request asks for it again.
      if (reason === 'period_closed') return;
      await this.publish(manager, period, sealed);
      seals.inc({ reason: sealed.reason, outcome: 'republished' });
      return;
    }
    const row: SealRow = {
      announcements: (await this.announcements.countOf(manager, period)).toString(),
      reason,
      sealed_at: new Date(),
    };
    await manager.query(
      `INSERT INTO period_seals (period, announcements, reason, sealed_at) VALUES ($1, $2, $3, $4)`,
      [period, row.announcements, row.reason, row.sealed_at],
    );
    await this.publish(manager, period, row);
    seals.inc({ reason, outcome: 'sealed' });
  }

  private async publish(manager: EntityManager, period: string, seal: SealRow): Promise<void> {
    await this.outbox.append(manager, [
      createEvent(
        UsagePeriodSealedV1,
        {
          period,
          announcements: seal.announcements,
          reason: seal.reason,
          sealedAt: seal.sealed_at.toISOString(),
        },
        { source: '/onecommons/metering' },
      ),
    ]);
  }
}

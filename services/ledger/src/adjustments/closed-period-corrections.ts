import { Injectable } from '@nestjs/common';
import { type CloudEvent, ClosedPeriodUsageCorrectedV1, type DataOf } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PeriodAdjustmentsRepository } from './period-adjustments.repository.js';

/**
 * Metering's corrections of usage in sealed periods. They never change usage_quantities (so never a close's
 * input, even when one arrives before the ledger has closed its period): each waits for the next adjustment of
 * its closed period.
 */
@Injectable()
export class ClosedPeriodCorrections {
  constructor(private readonly adjustments: PeriodAdjustmentsRepository) {}

  @OnEvent(ClosedPeriodUsageCorrectedV1)
  async onCorrected(
    event: CloudEvent<DataOf<typeof ClosedPeriodUsageCorrectedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const data = event.data;
    await this.adjustments.recordCorrection(manager, {
      serviceId: data.serviceId,
      source: data.correction.source,
      id: data.correction.id,
      subscriberId: data.subscriberId,
      period: data.period,
      meter: data.meter,
      delta: BigInt(data.delta),
      original: data.original,
      correctedAt: data.correctedAt,
    });
  }
}

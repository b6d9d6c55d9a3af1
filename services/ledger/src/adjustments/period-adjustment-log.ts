import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PeriodAdjustedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { PeriodAdjuster } from './period-adjuster.js';
import { PeriodAdjustmentsRepository } from './period-adjustments.repository.js';

/**
 * The ledger's own log of adjustments, like its log of closes: live, the adjustment is recorded when its event
 * comes back; in a replay it is re-done with exactly the corrections, period and price it recorded, and must come
 * out with the same Merkle root, or the replay fails.
 */
@Injectable()
export class PeriodAdjustmentLog {
  constructor(
    private readonly adjuster: PeriodAdjuster,
    private readonly adjustments: PeriodAdjustmentsRepository,
  ) {}

  @OnEvent(PeriodAdjustedV1)
  async onPeriodAdjusted(
    event: CloudEvent<DataOf<typeof PeriodAdjustedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const logged = event.data;
    const existing = await this.adjustments.find(manager, logged.period, logged.sequence);
    const merkleRoot =
      existing?.merkleRoot ??
      (
        await this.adjuster.adjustWithin(manager, logged.period, {
          sequence: logged.sequence,
          corrections: logged.corrections,
          postedIn: logged.postedIn,
          price: { num: BigInt(logged.price.num), den: BigInt(logged.price.den) },
          reason: logged.reason,
          adjustedBy: logged.adjustedBy,
          at: new Date(logged.adjustedAt),
        })
      ).adjustment?.merkleRoot;
    if (merkleRoot !== logged.merkleRoot)
      throw new Error(
        `adjusting ${logged.period} again (#${logged.sequence}) gives Merkle root ${merkleRoot ?? 'none'}, the log says ${logged.merkleRoot}`,
      );
  }
}

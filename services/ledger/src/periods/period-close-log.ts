import { Injectable } from '@nestjs/common';
import { type CloudEvent, type DataOf, PeriodClosedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { RunMode } from '@onecommons/service-kit';
import { PeriodCloser } from './period-closer.js';

/**
 * The ledger's own log of closes. Live, the period is already closed when its event comes back (the close and its
 * event commit together): nothing to do; a close this ledger did not make (another ledger on the topic, or a
 * database older than the topic) is refused, to the DLQ, rather than made here from the event. In a replay (which
 * feeds the ledger's own topic after every other service's), the close is recomputed from the rebuilt projections
 * and must come out with the same Merkle root, or the replay fails.
 */
@Injectable()
export class PeriodCloseLog {
  constructor(
    private readonly closer: PeriodCloser,
    private readonly runMode: RunMode,
  ) {}

  @OnEvent(PeriodClosedV1)
  async onPeriodClosed(
    event: CloudEvent<DataOf<typeof PeriodClosedV1>>,
    context: EventContext,
  ): Promise<void> {
    const { period, merkleRoot } = event.data;
    const recorded = await this.closer.find(period, context.manager);
    if (!recorded && !this.runMode.replays)
      throw new Error(`a close of ${period} this ledger has no record of (Merkle root ${merkleRoot})`);
    const result = recorded ?? (await this.closer.closeWithin(context.manager, period, true));
    if (result.merkleRoot !== merkleRoot)
      throw new Error(
        `closing ${period} again gives Merkle root ${result.merkleRoot}, the log says ${merkleRoot}`,
      );
  }
}

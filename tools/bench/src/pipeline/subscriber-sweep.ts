import { type UsageReportEvent, USAGE_REPORT_TYPE } from '@onecommons/contracts';
import { type UsageBatch } from '../ingest/usage-batches.js';

/**
 * The pipeline bench's usage: batches of `batchSize` events, one per subscriber, sweeping the whole pool in
 * order (so a batch never names a subscriber twice, and every subscriber reports once per sweep), quantity 1
 * each, so the ledger holds everything exactly when its summed quantities reach the events accepted.
 */
export class SubscriberSweep {
  private position = 0;

  constructor(
    private readonly subscribers: readonly string[],
    private readonly serviceId: string,
    private readonly meters: readonly string[],
    private readonly runId: string,
    private readonly batchSize: number,
  ) {
    if (batchSize < 1 || batchSize > subscribers.length)
      throw new RangeError(
        `a batch of ${batchSize} cannot name each of ${subscribers.length} subscribers once`,
      );
  }

  next(): UsageBatch {
    const time = new Date().toISOString();
    const events: UsageReportEvent[] = [];
    for (let index = 0; index < this.batchSize; index += 1) {
      const sequence = this.position;
      this.position += 1;
      events.push({
        specversion: '1.0',
        id: `${this.runId}-${sequence}`,
        source: `/services/${this.serviceId}`,
        type: USAGE_REPORT_TYPE,
        subject: this.subscribers[sequence % this.subscribers.length] as string,
        time,
        data: {
          service: this.serviceId,
          meter: this.meters[Math.floor(sequence / this.subscribers.length) % this.meters.length] as string,
          quantity: 1,
        },
      });
    }
    return { events, resends: 0 };
  }
}

import { type UsageReportEvent, USAGE_REPORT_TYPE } from '@onecommons/contracts';
import { SeededRandom } from '../seeded-random.js';

/** One request's worth of events, and how many of them were sent before (resends of a lost answer). */
export interface UsageBatch {
  readonly events: readonly UsageReportEvent[];
  readonly resends: number;
}

/** What the load looks like: batch sizes, how many subscribers and meters, how often an event is resent. */
export interface UsageLoadShape {
  readonly minBatch: number;
  readonly maxBatch: number;
  readonly subscribers: number;
  readonly meters: readonly string[];
  /** A subscriber active in a batch reports 1 to this many events in it (several meters, several ticks). */
  readonly maxEventsPerSubscriber: number;
  /** Share of events that are resends of an event sent earlier. */
  readonly resendShare: number;
  /** How many of the latest events a resend is drawn from. */
  readonly resendWindow: number;
}

export const INGEST_LOAD_SHAPE: UsageLoadShape = {
  minBatch: 100,
  maxBatch: 1_000,
  subscribers: 20_000,
  meters: ['active_seconds', 'requests', 'storage_mb_hours'],
  maxEventsPerSubscriber: 8,
  resendShare: 0.01,
  resendWindow: 5_000,
};

/** A version-4-shaped UUID from the seeded generator: the same seed gives the same subscribers. */
export function seededUuid(random: SeededRandom): string {
  let hex = '';
  for (let index = 0; index < 4; index += 1)
    hex += Math.floor(random.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  const variant = ((parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Synthetic usage of one service: each batch (size uniform in [minBatch, maxBatch]) holds runs of events of
 * subscribers drawn from the pool, like a service flushing what its active users did; about `resendShare`
 * of the events are resends of recent ones, which metering must count once. Deterministic for a seed, apart
 * from the event times, which follow `now`.
 */
export class UsageBatchGenerator {
  private readonly random: SeededRandom;
  /** The pool the batches' subjects are drawn from (metering takes usage only for registered subscribers). */
  readonly subscribers: readonly string[];
  private readonly recent: UsageReportEvent[] = [];
  private recentNext = 0;
  private sequence = 0;

  constructor(
    private readonly shape: UsageLoadShape,
    private readonly serviceId: string,
    private readonly runId: string,
    seed: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (shape.minBatch < 1 || shape.maxBatch < shape.minBatch)
      throw new RangeError(`batch sizes [${shape.minBatch}, ${shape.maxBatch}] are not a range`);
    this.random = new SeededRandom(seed);
    this.subscribers = Array.from({ length: shape.subscribers }, () => seededUuid(this.random));
  }

  next(): UsageBatch {
    const size = this.random.integer(this.shape.minBatch, this.shape.maxBatch);
    const time = this.now().toISOString();
    const events: UsageReportEvent[] = [];
    let resends = 0;
    while (events.length < size) {
      const subject = this.random.pick(this.subscribers);
      const run = Math.min(this.random.integer(1, this.shape.maxEventsPerSubscriber), size - events.length);
      for (let index = 0; index < run; index += 1) {
        if (this.recent.length > 0 && this.random.chance(this.shape.resendShare)) {
          events.push(this.random.pick(this.recent));
          resends += 1;
        } else events.push(this.fresh(subject, time));
      }
    }
    return { events, resends };
  }

  private fresh(subject: string, time: string): UsageReportEvent {
    this.sequence += 1;
    const event: UsageReportEvent = {
      specversion: '1.0',
      id: `${this.runId}-${this.sequence}`,
      source: `/services/${this.serviceId}`,
      type: USAGE_REPORT_TYPE,
      subject,
      time,
      data: {
        service: this.serviceId,
        meter: this.random.pick(this.shape.meters),
        quantity: this.random.integer(1, 1_000),
      },
    };
    if (this.recent.length < this.shape.resendWindow) this.recent.push(event);
    else this.recent[this.recentNext] = event;
    this.recentNext = (this.recentNext + 1) % this.shape.resendWindow;
    return event;
  }
}

import { boundOfPeriod, type MeterBound, periodEnd, periodStart } from '@onecommons/contracts';

/** The key's service as catalog announced it, or null when metering has not heard of it (yet). */
export interface ServiceFacts {
  readonly operatorId: string;
  readonly status: string;
}

/**
 * What metering knows that a request's events are checked against, read in one query per request (never
 * one per event): the meters and their bounds, the key's service, which of the events' subjects are
 * registered subscribers, and which of their periods are sealed.
 */
export class IngestFacts {
  private readonly limits = new Map<string, bigint>();

  constructor(
    private readonly meters: ReadonlyMap<string, MeterBound>,
    readonly service: ServiceFacts | null,
    private readonly subscribers: ReadonlySet<string>,
    private readonly sealedPeriods: ReadonlySet<string>,
  ) {}

  /** Sealed when the request was read; the recorder checks again under the period's seal lock. */
  isSealed(period: string): boolean {
    return this.sealedPeriods.has(period);
  }

  hasMeter(meter: string): boolean {
    return this.meters.has(meter);
  }

  isSubscriber(subscriberId: string): boolean {
    return this.subscribers.has(subscriberId);
  }

  /** The most one subscriber's usage of one service may reach on `meter` in `period` (a known meter). */
  limitOf(meter: string, period: string): bigint {
    const key = `${meter}/${period}`;
    let limit = this.limits.get(key);
    if (limit === undefined) {
      const bound = this.meters.get(meter);
      if (!bound) throw new Error(`no meter ${meter}`);
      const seconds = (periodEnd(period).getTime() - periodStart(period).getTime()) / 1_000;
      limit = boundOfPeriod(bound, seconds);
      this.limits.set(key, limit);
    }
    return limit;
  }
}

import { Inject, Injectable } from '@nestjs/common';
import { type ApiKeyPrincipal } from '@onecommons/auth';
import { periodEnd, periodOf } from '@onecommons/contracts';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type MeteringConfig } from '../config.js';
import { CorrectionRecorder } from './correction-recorder.js';
import { countOutcomes } from './ingest-metrics.js';
import { type CorrectionEvent, parseUsageEvent, type Rejection, type UsageEvent } from './usage-event.js';
import { type DatedUsageEvent, eventKey, UsageRecorder } from './usage-recorder.js';

export type Outcome =
  | { readonly status: 'accepted' | 'duplicate'; readonly id: string }
  | ({ readonly status: 'rejected'; readonly id: string | null } & Rejection);

/** The rules an event must pass before it is counted, then the counting itself. */
@Injectable()
export class UsageIngestion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly recorder: UsageRecorder,
    private readonly corrections: CorrectionRecorder,
    @Inject(SERVICE_CONFIG) private readonly config: MeteringConfig,
  ) {}

  /** One outcome per input value, in order. Good events are kept even when others in the batch are not. */
  async ingest(key: ApiKeyPrincipal, values: readonly unknown[], now = new Date()): Promise<Outcome[]> {
    const meters = await this.knownMeters();
    const closings = new PeriodClosings(this.config.METERING_LATE_EVENT_GRACE_MINUTES);
    const corrections = new Map<number, CorrectionEvent>();
    const outcomes: (Outcome | DatedUsageEvent | null)[] = values.map((value, index) => {
      const parsed = parseUsageEvent(value);
      if ('rejection' in parsed) return { status: 'rejected', id: idOf(value), ...parsed.rejection };
      if ('correction' in parsed) {
        const { correction } = parsed;
        const rejection = this.commonRejection(key, meters, correction, now);
        if (rejection) return { status: 'rejected', id: correction.id, ...rejection };
        corrections.set(index, correction);
        return null;
      }
      const { event } = parsed;
      const period = periodOf(event.time);
      const rejection = this.contextualRejection(key, meters, event, period, closings, now);
      if (rejection) return { status: 'rejected', id: event.id, ...rejection };
      return { ...event, period };
    });
    // The first occurrence of an (source, id) in the request is the one that counts.
    const firsts = new Map<string, DatedUsageEvent>();
    for (const outcome of outcomes)
      if (outcome && !('status' in outcome)) {
        const key = eventKey(outcome.source, outcome.id);
        if (!firsts.has(key)) firsts.set(key, outcome);
      }
    const counted = await this.recorder.record([...firsts.values()]);
    // Corrections after the batch's usage, in order: one may correct an event of the same request.
    const corrected = new Map<number, Outcome>();
    for (const [index, correction] of corrections) {
      const result = await this.corrections.record(correction, periodOf(now));
      corrected.set(
        index,
        typeof result === 'string'
          ? { status: result, id: correction.id }
          : { status: 'rejected', id: correction.id, ...result },
      );
    }
    const results = outcomes.map((outcome, index): Outcome => {
      if (outcome === null) return corrected.get(index) as Outcome;
      if ('status' in outcome) return outcome;
      const key = eventKey(outcome.source, outcome.id);
      const accepted = firsts.get(key) === outcome && counted.has(key);
      return { status: accepted ? 'accepted' : 'duplicate', id: outcome.id };
    });
    countOutcomes(results);
    return results;
  }

  /** Usage must pass the common rules and still be in an open period. */
  private contextualRejection(
    key: ApiKeyPrincipal,
    meters: ReadonlySet<string>,
    event: UsageEvent,
    period: string,
    closings: PeriodClosings,
    now: Date,
  ): Rejection | null {
    const common = this.commonRejection(key, meters, event, now);
    if (common) return common;
    if (now.getTime() >= closings.closesAt(period))
      return { code: 'period_closed', field: 'time', message: `the period ${period} is closed for usage` };
    return null;
  }

  /** What every event (usage or correction) must pass: its key's service, a known meter, a sane time. */
  private commonRejection(
    key: ApiKeyPrincipal,
    meters: ReadonlySet<string>,
    { serviceId, meter, time }: Pick<UsageEvent, 'serviceId' | 'meter' | 'time'>,
    now: Date,
  ): Rejection | null {
    if (serviceId !== key.serviceId)
      return {
        code: 'service_not_allowed',
        field: 'data.service',
        message: 'this API key reports for another service',
      };
    if (!meters.has(meter))
      return { code: 'unknown_meter', field: 'data.meter', message: `no meter "${meter}"` };
    if (time.getTime() > now.getTime() + this.config.METERING_MAX_FUTURE_SECONDS * 1_000)
      return {
        code: 'time_in_future',
        field: 'time',
        message: `is more than ${this.config.METERING_MAX_FUTURE_SECONDS} s ahead of the platform's clock`,
      };
    return null;
  }

  private async knownMeters(): Promise<Set<string>> {
    const rows = (await this.dataSource.query('SELECT name FROM meters')) as { name: string }[];
    return new Set(rows.map((row) => row.name));
  }
}

/** When each period stops taking late usage, worked out once per period a batch touches. */
class PeriodClosings {
  private readonly known = new Map<string, number>();

  constructor(private readonly graceMinutes: number) {}

  closesAt(period: string): number {
    let closesAt = this.known.get(period);
    if (closesAt === undefined) {
      closesAt = periodEnd(period).getTime() + this.graceMinutes * 60_000;
      this.known.set(period, closesAt);
    }
    return closesAt;
  }
}

function idOf(value: unknown): string | null {
  const id =
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['id'] : undefined;
  return typeof id === 'string' ? id : null;
}

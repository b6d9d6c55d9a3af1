import { Injectable } from '@nestjs/common';
import { boundOfPeriod, type MeterBound, periodEnd, periodStart } from '@onecommons/contracts';
import { DataSource } from 'typeorm';

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

interface FactsRow {
  meters: [string, MeterBound['per'], string][];
  service: ServiceFacts | null;
  subscribers: string[];
  sealed: string[];
}

@Injectable()
export class IngestFactsReader {
  constructor(private readonly dataSource: DataSource) {}

  async read(
    serviceId: string | null,
    subjects: readonly string[],
    periods: readonly string[],
  ): Promise<IngestFacts> {
    const [row] = (await this.dataSource.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_array(name, bound_per, bound_max::text)), '[]'::json) FROM meters)
           AS meters,
         (SELECT json_build_object('operatorId', operator_id, 'status', status) FROM services
           WHERE service_id = $1) AS service,
         (SELECT coalesce(json_agg(subscriber_id), '[]'::json) FROM subscribers
           WHERE subscriber_id = ANY($2::uuid[])) AS subscribers,
         (SELECT coalesce(json_agg(period), '[]'::json) FROM period_seals WHERE period = ANY($3::text[])) AS sealed`,
      [serviceId, [...new Set(subjects)], [...new Set(periods)]],
    )) as [FactsRow];
    return new IngestFacts(
      new Map(row.meters.map(([name, per, max]) => [name, { per, max }])),
      row.service,
      new Set(row.subscribers),
      new Set(row.sealed),
    );
  }
}

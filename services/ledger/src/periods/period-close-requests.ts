import { Inject, Injectable } from '@nestjs/common';
import { type CloudEvent, createEvent, type DataOf, PeriodCloseRequestedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent, OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { type LedgerConfig } from '../config.js';

export interface PeriodCloseRequest {
  readonly period: string;
  readonly forced: boolean;
  readonly firstRequestedAt: Date;
  readonly lastRequestedAt: Date;
}

/**
 * The ledger's requests to close a period (PeriodCloseRequested): metering answers one with the period's watermark
 * and seals it. A period is requested once; the request goes out again only when metering has not answered it for
 * LEDGER_CLOSE_REREQUEST_MINUTES (a lost exchange heals itself). The table is rebuilt from the events on replay.
 */
@Injectable()
export class PeriodCloseRequests {
  constructor(
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** In the caller's transaction: records and announces the request, or re-sends it when it went unanswered. */
  async requestWithin(
    manager: EntityManager,
    period: string,
    forced: boolean,
    now: Date,
  ): Promise<'requested' | 'requested_again' | 'pending'> {
    const inserted = (await manager.query(
      `INSERT INTO period_close_requests (period, forced, first_requested_at, last_requested_at)
       VALUES ($1, $2, $3, $3) ON CONFLICT (period) DO NOTHING RETURNING period`,
      [period, forced, now],
    )) as unknown[];
    if (inserted.length > 0) {
      await this.announce(manager, period, forced, now);
      return 'requested';
    }
    const rerequestBefore = new Date(now.getTime() - this.config.LEDGER_CLOSE_REREQUEST_MINUTES * 60_000);
    const renewed = (await manager.query(
      `UPDATE period_close_requests SET last_requested_at = $3, forced = forced OR $2
        WHERE period = $1 AND last_requested_at <= $4
          AND NOT EXISTS (SELECT 1 FROM usage_watermarks w WHERE w.period = $1)
        RETURNING forced`,
      [period, forced, now, rerequestBefore],
    )) as [{ forced: boolean }[], number];
    const [row] = renewed[0];
    if (!row) return 'pending';
    await this.announce(manager, period, row.forced, now);
    return 'requested_again';
  }

  async find(manager: EntityManager, period: string): Promise<PeriodCloseRequest | null> {
    const [row] = (await manager.query(
      `SELECT period, forced, first_requested_at, last_requested_at FROM period_close_requests WHERE period = $1`,
      [period],
    )) as RequestRow[];
    return row ? requestOf(row) : null;
  }

  /** Requested periods that are not closed, oldest first. */
  async open(manager: EntityManager): Promise<PeriodCloseRequest[]> {
    const rows = (await manager.query(
      `SELECT period, forced, first_requested_at, last_requested_at FROM period_close_requests
        WHERE period NOT IN (SELECT period FROM period_closes) ORDER BY period`,
    )) as RequestRow[];
    return rows.map(requestOf);
  }

  /** Live, the row is there already (written with the event); a replay rebuilds it from the events. */
  @OnEvent(PeriodCloseRequestedV1)
  async onCloseRequested(
    event: CloudEvent<DataOf<typeof PeriodCloseRequestedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const { period, forced, requestedAt } = event.data;
    await manager.query(
      `INSERT INTO period_close_requests (period, forced, first_requested_at, last_requested_at)
       VALUES ($1, $2, $3, $3)
       ON CONFLICT (period) DO UPDATE SET forced = period_close_requests.forced OR EXCLUDED.forced,
         first_requested_at = LEAST(period_close_requests.first_requested_at, EXCLUDED.first_requested_at),
         last_requested_at = GREATEST(period_close_requests.last_requested_at, EXCLUDED.last_requested_at)`,
      [period, forced, requestedAt],
    );
  }

  private async announce(manager: EntityManager, period: string, forced: boolean, now: Date): Promise<void> {
    await this.outbox.append(manager, [
      createEvent(
        PeriodCloseRequestedV1,
        { period, forced, requestedAt: now.toISOString() },
        { source: '/onecommons/ledger' },
      ),
    ]);
  }
}

interface RequestRow {
  period: string;
  forced: boolean;
  first_requested_at: Date;
  last_requested_at: Date;
}

const requestOf = (row: RequestRow): PeriodCloseRequest => ({
  period: row.period,
  forced: row.forced,
  firstRequestedAt: row.first_requested_at,
  lastRequestedAt: row.last_requested_at,
});

import { Inject, Injectable } from '@nestjs/common';
import { type CloudEvent, createEvent, type DataOf, PeriodCloseRequestedV1 } from '@onecommons/contracts';
import { type EventContext, OnEvent, OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import {
  type PeriodCloseRequest,
  PeriodCloseRequestsRepository,
} from './period-close-requests.repository.js';

/**
 * The ledger's requests to close a period (PeriodCloseRequested): metering answers one with the period's watermark
 * and seals it. A period is requested once; the request goes out again only when metering has not answered it for
 * LEDGER_CLOSE_REREQUEST_MINUTES (a lost exchange heals itself). The table is rebuilt from the events on replay.
 */
@Injectable()
export class PeriodCloseRequests {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly requests: PeriodCloseRequestsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
  ) {}

  /** In the caller's transaction: records and announces the request, or re-sends it when it went unanswered. */
  async requestWithin(
    manager: EntityManager,
    period: string,
    forced: boolean,
    now: Date,
  ): Promise<'requested' | 'requested_again' | 'pending'> {
    if (await this.requests.insert(manager, period, forced, now)) {
      await this.announce(manager, period, forced, now);
      return 'requested';
    }
    const rerequestBefore = new Date(now.getTime() - this.config.LEDGER_CLOSE_REREQUEST_MINUTES * 60_000);
    const renewedForced = await this.requests.renewUnanswered(manager, period, forced, now, rerequestBefore);
    if (renewedForced === null) return 'pending';
    await this.announce(manager, period, renewedForced, now);
    return 'requested_again';
  }

  find(manager: EntityManager, period: string): Promise<PeriodCloseRequest | null> {
    return this.requests.find(manager, period);
  }

  /** Requested periods that are not closed, oldest first. */
  open(manager: EntityManager): Promise<PeriodCloseRequest[]> {
    return this.requests.open(manager);
  }

  /** Live, the row is there already (written with the event); a replay rebuilds it from the events. */
  @OnEvent(PeriodCloseRequestedV1)
  async onCloseRequested(
    event: CloudEvent<DataOf<typeof PeriodCloseRequestedV1>>,
    { manager }: EventContext,
  ): Promise<void> {
    const { period, forced, requestedAt } = event.data;
    await this.requests.recordRequested(manager, period, forced, requestedAt);
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

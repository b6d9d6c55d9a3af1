import { Injectable } from '@nestjs/common';
import { createEvent, UsageCorrectedV1, UsageRecordedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { DataSource, type EntityManager } from 'typeorm';
import { type CorrectionEvent, type Rejection } from './usage-event.js';

const SOURCE = { source: '/onecommons/metering' };

/** A rule broken inside the transaction: it rolls back, and the client gets the rejection. */
class CorrectionRefused extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
  }
}

interface OriginalRow {
  subscriber_id: string;
  service_id: string;
  meter: string;
  quantity: string;
  period: string;
}

/**
 * Applies usage corrections, one transaction each (they are rare): the correction counts once by its own
 * (source, id), changes the current period's aggregate, and is announced. An event can never be corrected
 * below zero, and a period's usage never goes negative.
 */
@Injectable()
export class CorrectionRecorder {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  /** `limit`: the bound of the correction's meter in `period`, which a positive correction cannot take it beyond. */
  async record(
    correction: CorrectionEvent,
    period: string,
    limit: bigint,
  ): Promise<'accepted' | 'duplicate' | Rejection> {
    try {
      return await this.dataSource.transaction((manager) => this.apply(manager, correction, period, limit));
    } catch (error) {
      if (error instanceof CorrectionRefused) return error.rejection;
      throw error;
    }
  }

  private async apply(
    manager: EntityManager,
    correction: CorrectionEvent,
    period: string,
    limit: bigint,
  ): Promise<'accepted' | 'duplicate'> {
    // Locks the original: concurrent corrections of one event are checked against each other. A service
    // corrects only its own events: another service's (source, id) is not even looked at.
    const [original] = (await manager.query(
      `SELECT subscriber_id, service_id, meter, quantity::text AS quantity, period FROM usage_events
        WHERE service_id = $1 AND source = $2 AND event_id = $3 FOR UPDATE`,
      [correction.serviceId, correction.corrects.source, correction.corrects.id],
    )) as OriginalRow[];
    if (
      !original ||
      original.subscriber_id !== correction.subscriberId ||
      original.service_id !== correction.serviceId ||
      original.meter !== correction.meter
    )
      throw new CorrectionRefused({
        code: 'unknown_original',
        field: 'data.corrects',
        message: 'no accepted usage event with this source and id for this subscriber, service and meter',
      });
    const inserted = (await manager.query(
      `INSERT INTO usage_corrections (source, event_id, original_source, original_event_id, subscriber_id, service_id,
                                      meter, delta, period, original_period)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (service_id, source, event_id) DO NOTHING
       RETURNING 1`,
      [
        correction.source,
        correction.id,
        correction.corrects.source,
        correction.corrects.id,
        correction.subscriberId,
        correction.serviceId,
        correction.meter,
        correction.delta.toString(),
        period,
        original.period,
      ],
    )) as unknown[];
    if (inserted.length === 0) return 'duplicate';
    const [net] = (await manager.query(
      `SELECT ($3::numeric + coalesce(sum(delta), 0))::text AS net FROM usage_corrections
        WHERE service_id = $4 AND original_source = $1 AND original_event_id = $2`,
      [correction.corrects.source, correction.corrects.id, original.quantity, correction.serviceId],
    )) as { net: string }[];
    if (BigInt(net?.net ?? '0') < 0n)
      throw new CorrectionRefused({
        code: 'correction_exceeds_original',
        field: 'data.quantity',
        message: `would take the corrected event below zero (it counts ${original.quantity} before this)`,
      });
    const [aggregate] = (await manager.query(
      `INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
       VALUES ($1, $2, $3, $4, $5, 0)
       ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
         SET quantity = usage_aggregates.quantity + EXCLUDED.quantity
       RETURNING quantity::text AS quantity`,
      [period, correction.subscriberId, correction.serviceId, correction.meter, correction.delta.toString()],
    )) as { quantity: string }[];
    if (BigInt(aggregate?.quantity ?? '0') < 0n)
      throw new CorrectionRefused({
        code: 'correction_exceeds_current_usage',
        field: 'data.quantity',
        message: `the ${period} usage of this service and meter is smaller than the correction`,
      });
    if (BigInt(aggregate?.quantity ?? '0') > limit)
      throw new CorrectionRefused({
        code: 'implausible_quantity',
        field: 'data.quantity',
        message: `would take the ${period} usage of this service and meter beyond its bound (${limit})`,
      });
    const correctedAt = new Date().toISOString();
    await this.outbox.append(manager, [
      createEvent(
        UsageRecordedV1,
        {
          subscriberId: correction.subscriberId,
          period,
          usage: [
            {
              serviceId: correction.serviceId,
              meter: correction.meter,
              quantity: correction.delta.toString(),
              events: 0,
            },
          ],
          recordedAt: correctedAt,
        },
        SOURCE,
      ),
      createEvent(
        UsageCorrectedV1,
        {
          subscriberId: correction.subscriberId,
          period,
          serviceId: correction.serviceId,
          meter: correction.meter,
          delta: correction.delta.toString(),
          correction: { source: correction.source, id: correction.id },
          original: { ...correction.corrects, period: original.period, quantity: original.quantity },
          correctedAt,
        },
        SOURCE,
      ),
    ]);
    return 'accepted';
  }
}

import { Injectable } from '@nestjs/common';
import { bigintText, queryOne, queryRows, queryExists } from '@onecommons/persistence';
import pg from 'pg';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type CorrectionEvent } from './usage-event.js';

/** A usage event's full identity: its digest (usage_events' key), its service, its source and id. */
export type EventIdentity = readonly [digest: Buffer, serviceId: string, source: string, id: string];

/** A counted usage event, as a correction of it reads it. */
export interface CorrectedEvent {
  readonly subscriberId: string;
  readonly serviceId: string;
  readonly meter: string;
  readonly quantity: bigint;
  readonly period: string;
  /** Whether its period is sealed. */
  readonly sealed: boolean;
}

const periodRow = z.object({ period: z.string() });

const tableRow = z.object({ table_name: z.string() });

const correctedEventRow = z
  .object({
    subscriber_id: z.string(),
    service_id: z.string(),
    meter: z.string(),
    quantity: bigintText,
    period: z.string(),
    sealed: z.boolean(),
  })
  .transform((row): CorrectedEvent => ({
    subscriberId: row.subscriber_id,
    serviceId: row.service_id,
    meter: row.meter,
    quantity: row.quantity,
    period: row.period,
    sealed: row.sealed,
  }));

const netRow = z.object({ net: bigintText });

const quantityRow = z.object({ quantity: bigintText });

/**
 * The corrections feature's SQL: the corrected events (in usage_events, or in its detached partitions),
 * usage_corrections, and the aggregates corrections change.
 */
@Injectable()
export class CorrectionsRepository {
  /** The period of the event in the attached partitions, or null. */
  async periodOf(manager: EntityManager, identity: EventIdentity): Promise<string | null> {
    const [located] = await queryRows(
      manager,
      {
        name: 'corrections.periodOf',
        row: periodRow,
        sql: `SELECT period FROM usage_events
               WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4`,
      },
      identity,
    );
    return located?.period ?? null;
  }

  /**
   * The period of an event found in a detached partition still in the schema (an operator drops them once
   * dumped), or null. Its full identity compared, as in the attached partitions.
   */
  async archivedPeriodOf(manager: EntityManager, identity: EventIdentity): Promise<string | null> {
    const tables = await queryRows(
      manager,
      {
        name: 'corrections.archivedPeriodOf',
        row: tableRow,
        sql: `SELECT table_name FROM usage_archive WHERE parent = 'usage_events' AND to_regclass(table_name) IS NOT NULL
               ORDER BY period_to DESC`,
      },
      [],
    );
    for (const { table_name } of tables) {
      const [found] = await queryRows(
        manager,
        {
          name: `corrections.archivedPeriodOf (${table_name})`,
          row: periodRow,
          sql: `SELECT period FROM ${pg.escapeIdentifier(table_name)}
                 WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4`,
        },
        [...identity],
      );
      if (found) return found.period;
    }
    return null;
  }

  /** The event, locked until the transaction ends, with whether its period is sealed; null if not found. */
  async lockEvent(manager: EntityManager, identity: EventIdentity): Promise<CorrectedEvent | null> {
    const [event] = await queryRows(
      manager,
      {
        name: 'corrections.lockEvent',
        row: correctedEventRow,
        sql: `SELECT subscriber_id, service_id, meter, quantity::text AS quantity, period,
                     EXISTS (SELECT 1 FROM period_seals s WHERE s.period = e.period) AS sealed
                FROM usage_events e
               WHERE event_digest = $1 AND service_id = $2 AND source = $3 AND event_id = $4 FOR UPDATE OF e`,
      },
      [...identity],
    );
    return event ?? null;
  }

  /** False when the correction was recorded before (by its service, source and id). */
  async add(
    manager: EntityManager,
    correction: CorrectionEvent,
    original: { readonly digest: Buffer; readonly period: string },
    appliedAfterSeal: boolean,
  ): Promise<boolean> {
    return queryExists(
      manager,
      {
        name: 'corrections.add',
        sql: `INSERT INTO usage_corrections (source, event_id, original_source, original_event_id, original_digest,
                                             subscriber_id, service_id, meter, delta, period, original_period,
                                             applied_after_seal)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT (service_id, source, event_id) DO NOTHING
              RETURNING 1`,
      },
      [
        correction.source,
        correction.id,
        correction.corrects.source,
        correction.corrects.id,
        original.digest,
        correction.subscriberId,
        correction.serviceId,
        correction.meter,
        correction.delta.toString(),
        original.period,
        appliedAfterSeal,
      ],
    );
  }

  /** The corrected event's quantity with every correction of it applied (this one included). */
  async netOf(
    manager: EntityManager,
    correction: CorrectionEvent,
    originalQuantity: bigint,
  ): Promise<bigint> {
    const row = await queryOne(
      manager,
      {
        name: 'corrections.netOf',
        row: netRow,
        sql: `SELECT ($3::numeric + coalesce(sum(delta), 0))::text AS net FROM usage_corrections
               WHERE service_id = $4 AND original_source = $1 AND original_event_id = $2`,
      },
      [correction.corrects.source, correction.corrects.id, originalQuantity.toString(), correction.serviceId],
    );
    return row.net;
  }

  /** Adds the correction's delta to its aggregate in `period` (made if missing); the quantity after. */
  async addToAggregate(manager: EntityManager, correction: CorrectionEvent, period: string): Promise<bigint> {
    const aggregate = await queryOne(
      manager,
      {
        name: 'corrections.addToAggregate',
        row: quantityRow,
        sql: `INSERT INTO usage_aggregates (period, subscriber_id, service_id, meter, quantity, events)
              VALUES ($1, $2, $3, $4, $5, 0)
              ON CONFLICT (period, subscriber_id, service_id, meter) DO UPDATE
                SET quantity = usage_aggregates.quantity + EXCLUDED.quantity
              RETURNING quantity::text AS quantity`,
      },
      [period, correction.subscriberId, correction.serviceId, correction.meter, correction.delta.toString()],
    );
    return aggregate.quantity;
  }

  /**
   * The correction's aggregate in the sealed `period`, locked (if it exists), then its quantity with every
   * correction applied after the seal added (this one included).
   */
  async lockedUsageAfterSeal(
    manager: EntityManager,
    correction: CorrectionEvent,
    period: string,
  ): Promise<bigint> {
    const group = [period, correction.subscriberId, correction.serviceId, correction.meter];
    await manager.query(
      `SELECT 1 FROM usage_aggregates
        WHERE period = $1 AND subscriber_id = $2 AND service_id = $3 AND meter = $4 FOR UPDATE`,
      group,
    );
    const usage = await queryOne(
      manager,
      {
        name: 'corrections.lockedUsageAfterSeal',
        row: quantityRow,
        sql: `SELECT ((SELECT coalesce(sum(quantity), 0) FROM usage_aggregates
                        WHERE period = $1 AND subscriber_id = $2 AND service_id = $3 AND meter = $4)
                    + (SELECT coalesce(sum(delta), 0) FROM usage_corrections
                        WHERE applied_after_seal AND period = $1 AND subscriber_id = $2 AND service_id = $3
                          AND meter = $4))::text AS quantity`,
      },
      group,
    );
    return usage.quantity;
  }
}

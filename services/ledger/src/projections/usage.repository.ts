import { Injectable } from '@nestjs/common';
import {
  type DataOf,
  PERIOD_PATTERN,
  type ResourceUsageReportedV1,
  type UsagePeriodSealedV1,
} from '@onecommons/contracts';
import { type UsageRow } from '@onecommons/allocation';
import { bigintText, queryRows, transactionClient } from '@onecommons/persistence';
import { to as copyTo } from 'pg-copy-streams';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type UsageDelta } from './usage-fold.js';

/** What the ledger knows of a period's usage announcements: metering's watermark (once sealed) and what it applied. */
export interface UsageWatermark {
  /** UsageRecorded events metering published for the period before it sealed it; null until the seal arrives. */
  readonly announced: bigint | null;
  /** UsageRecorded events of the period the ledger has applied. */
  readonly applied: bigint;
  readonly sealedAt: Date | null;
}

/** A subscriber whose fees minted tokens for the period, with every usage row of the period it has. */
export interface PayingSubscriber {
  readonly id: string;
  readonly tokens: bigint;
  /** Rows with a positive quantity, whatever their service and meter (the close keeps those it knows). */
  readonly usage: readonly Pick<UsageRow, 'service' | 'meter' | 'quantity'>[];
}

/**
 * Memory Postgres may sort the period's rows in before it spills to disk: one close at a time (the journal lock),
 * so at most this much per ledger.
 */
const CLOSE_SORT_MEMORY = '64MB';

const watermarkRow = z
  .object({ announced: bigintText.nullable(), sealed_at: z.date().nullable(), applied: bigintText })
  .transform((row): UsageWatermark => ({
    announced: row.announced,
    applied: row.applied,
    sealedAt: row.sealed_at,
  }));

const announcementsRow = z.object({ announcements: bigintText });

const serviceSubscribersRow = z.object({ service: z.string(), subscribers: z.number().int() });

const madeRow = z.object({ made: z.number().int() });

/**
 * What the ledger knows of usage: usage_quantities (metering's deltas summed), usage_applied_counts and
 * usage_watermarks (announcements applied, and metering's count once it sealed a period), the provisioner's
 * provider_resource_points, and the period partitions of a close's inputs.
 */
@Injectable()
export class UsageRepository {
  /** Adds the deltas to their keys' quantities. */
  async addQuantities(manager: EntityManager, deltas: readonly UsageDelta[]): Promise<void> {
    await manager.query(
      `INSERT INTO usage_quantities (period, subscriber_id, service_id, meter, quantity)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::numeric[])
       ON CONFLICT (period, subscriber_id, service_id, meter)
         DO UPDATE SET quantity = usage_quantities.quantity + EXCLUDED.quantity`,
      [
        deltas.map((delta) => delta.period),
        deltas.map((delta) => delta.subscriberId),
        deltas.map((delta) => delta.serviceId),
        deltas.map((delta) => delta.meter),
        deltas.map((delta) => delta.quantity.toString()),
      ],
    );
  }

  /** Counts the applied UsageRecorded events of each period, on the counter rows of their Kafka partition. */
  async countApplied(
    manager: EntityManager,
    partition: number,
    appliedPerPeriod: ReadonlyMap<string, number>,
  ): Promise<void> {
    const periods = [...appliedPerPeriod.keys()].sort();
    if (periods.length === 0) return;
    await manager.query(
      `INSERT INTO usage_applied_counts (period, kafka_partition, applied)
     SELECT period, $2, applied FROM unnest($1::text[], $3::bigint[]) AS counted(period, applied)
     ON CONFLICT (period, kafka_partition) DO UPDATE SET applied = usage_applied_counts.applied + EXCLUDED.applied`,
      [periods, partition, periods.map((period) => appliedPerPeriod.get(period) ?? 0)],
    );
  }

  async watermark(manager: EntityManager, period: string): Promise<UsageWatermark> {
    const [watermark] = await queryRows(
      manager,
      {
        name: 'usage.watermark',
        row: watermarkRow,
        sql: `SELECT (SELECT announcements::text FROM usage_watermarks WHERE period = $1) AS announced,
            (SELECT sealed_at FROM usage_watermarks WHERE period = $1) AS sealed_at,
            (SELECT coalesce(sum(applied), 0)::text FROM usage_applied_counts WHERE period = $1) AS applied`,
      },
      [period],
    );
    return watermark ?? { announced: null, applied: 0n, sealedAt: null };
  }

  /** The announcements of the period's seal, its row locked until the transaction ends; null before a seal. */
  async lockSealedAnnouncements(manager: EntityManager, period: string): Promise<bigint | null> {
    const [row] = await queryRows(
      manager,
      {
        name: 'usage.lockSealedAnnouncements',
        row: announcementsRow,
        sql: 'SELECT announcements::text AS announcements FROM usage_watermarks WHERE period = $1 FOR UPDATE',
      },
      [period],
    );
    return row ? row.announcements : null;
  }

  /** Records metering's seal of a period; sealed again, the period keeps the greater count. */
  async recordSeal(manager: EntityManager, seal: DataOf<typeof UsagePeriodSealedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO usage_watermarks (period, announcements, reason, sealed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period) DO UPDATE SET announcements = GREATEST(usage_watermarks.announcements, EXCLUDED.announcements)`,
      [seal.period, seal.announcements, seal.reason, seal.sealedAt],
    );
  }

  /** A provider's running total of resource points for a service in a period: the greatest seen is kept. */
  async reportResourcePoints(
    manager: EntityManager,
    report: DataOf<typeof ResourceUsageReportedV1>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO provider_resource_points (period, service_id, provider_id, points) VALUES ($1, $2, $3, $4)
       ON CONFLICT (period, service_id, provider_id) DO UPDATE
         SET points = GREATEST(provider_resource_points.points, EXCLUDED.points)`,
      [report.period, report.serviceId, report.providerId, report.points],
    );
  }

  /**
   * The period's paying subscribers in key order, each with its usage rows, out of one COPY streamed as Postgres
   * produces it: the tokens and the usage rows of the period sorted together by subscriber (a subscriber's tokens
   * first), so nothing is held but the subscriber at hand and the event loop turns between chunks. Usage of
   * subscribers without tokens is skipped as it passes.
   *
   * Sorted by Postgres from sequential scans, not read in index order: the rows of a period lie in the heap in
   * arrival order, so reading them in key order is one random page read per row. At 10M rows with the stock 128 MB of
   * shared buffers that took 60 s; the scan and an external sort in bounded memory take 11 s.
   */
  async *payingSubscribers(manager: EntityManager, period: string): AsyncGenerator<PayingSubscriber> {
    if (!PERIOD_PATTERN.test(period)) throw new Error(`not a period: ${period}`);
    const client = await transactionClient(manager, 'the close’s read');
    await client.query(
      `SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL work_mem = '${CLOSE_SORT_MEMORY}'`,
    );
    try {
      // COPY takes no parameters: the period was checked against its pattern above.
      const stream = client.query(
        // Sorted in their own types (a uuid is 16 bytes, its text 36): text only on the way out.
        copyTo(`COPY (
        SELECT subscriber_id, 0 AS kind, tokens AS amount, NULL::uuid AS service_id, NULL AS meter
          FROM subscriber_tokens WHERE period = '${period}' AND tokens > 0
        UNION ALL
        SELECT subscriber_id, 1, quantity, service_id, meter
          FROM usage_quantities WHERE period = '${period}' AND quantity > 0
        ORDER BY 1, 2) TO STDOUT`),
      );
      let current: {
        id: string;
        tokens: bigint;
        usage: Pick<UsageRow, 'service' | 'meter' | 'quantity'>[];
      } | null = null;
      let rest = '';
      // Split by hand, not parsed by a schema: a close streams millions of these lines. Every column but the two
      // NULLs of a tokens line is NOT NULL, and BigInt refuses an amount that is not a whole number.
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) {
          const [id, kind, amount, service, meter] = line.split('\t') as [
            string,
            string,
            string,
            string,
            string,
          ];
          if (kind === '0') {
            if (current) yield current;
            current = { id, tokens: BigInt(amount), usage: [] };
          } else if (current?.id === id) {
            current.usage.push({ service, meter, quantity: BigInt(amount) });
          }
        }
      }
      if (current) yield current;
    } finally {
      await client.query('RESET enable_indexscan; RESET enable_bitmapscan; RESET work_mem');
    }
  }

  /**
   * How many paying subscribers use each service on a meter that weighs (the minimum-subscribers rule's count,
   * `ServiceSubscriberCounts`), counted by Postgres: what lets a close with a minimum stream its usage once.
   */
  async payingSubscribersPerService(
    manager: EntityManager,
    period: string,
    services: readonly string[],
    weighingMeters: readonly string[],
  ): Promise<Map<string, number>> {
    const rows = await queryRows(
      manager,
      {
        name: 'usage.payingSubscribersPerService',
        row: serviceSubscribersRow,
        sql: `SELECT q.service_id::text AS service, count(DISTINCT q.subscriber_id)::int AS subscribers
       FROM usage_quantities q
       JOIN subscriber_tokens t ON t.period = q.period AND t.subscriber_id = q.subscriber_id
      WHERE q.period = $1 AND q.quantity > 0 AND t.tokens > 0
        AND q.service_id = ANY($2::uuid[]) AND q.meter = ANY($3::text[])
      GROUP BY q.service_id`,
      },
      [period, services, weighingMeters],
    );
    return new Map(rows.map((row) => [row.service, row.subscribers]));
  }

  /** Makes the input partitions these periods lack; returns how many tables were made. */
  async ensureInputPartitions(manager: EntityManager, periods: readonly string[]): Promise<number> {
    const [row] = await queryRows(
      manager,
      {
        name: 'usage.ensureInputPartitions',
        row: madeRow,
        sql: `SELECT ensure_input_partitions($1::text[]) AS made`,
      },
      [periods],
    );
    return row?.made ?? 0;
  }
}

import { Injectable } from '@nestjs/common';
import { bigintText, queryRows } from '@onecommons/persistence';
import { DataSource } from 'typeorm';
import { z } from 'zod';

/** A subscriber's usage of one service's meter in a period. */
export interface UsageLine {
  readonly serviceId: string;
  readonly meter: string;
  readonly quantity: bigint;
}

/** Whose usage lines are read, and which of them the reader may see. */
export interface UsageQuery {
  readonly period: string;
  readonly subscriberId: string;
  /** Null: every service's. */
  readonly serviceId: string | null;
  /** Every service's lines; otherwise only those of the services the operators run. */
  readonly everything: boolean;
  readonly operatorIds: readonly string[];
}

const usageLineRow = z
  .object({ service_id: z.string(), meter: z.string(), quantity: bigintText })
  .transform((row): UsageLine => ({ serviceId: row.service_id, meter: row.meter, quantity: row.quantity }));

/** The usage feature's reads of usage_aggregates, scoped by the services' operators. */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** In service and meter order. */
  async linesOf(query: UsageQuery): Promise<UsageLine[]> {
    return queryRows(
      this.dataSource,
      {
        name: 'usage.linesOf',
        row: usageLineRow,
        sql: `SELECT a.service_id, a.meter, a.quantity::text AS quantity
                FROM usage_aggregates a
                LEFT JOIN services s ON s.service_id = a.service_id
               WHERE a.period = $1 AND a.subscriber_id = $2 AND ($3::uuid IS NULL OR a.service_id = $3)
                 AND ($4 OR s.operator_id = ANY($5::uuid[]))
               ORDER BY a.service_id, a.meter`,
      },
      [query.period, query.subscriberId, query.serviceId, query.everything, query.operatorIds],
    );
  }
}

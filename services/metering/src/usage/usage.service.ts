import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { DataSource } from 'typeorm';
import { MeteringError } from '../metering-errors.js';
import { UsagePartitions } from '../periods/usage-partitions.js';

export interface UsageItemDto {
  readonly service: string;
  readonly meter: string;
  /** Decimal string: sums can exceed 2^53. */
  readonly quantity: string;
}

/**
 * A subscriber's usage in a period. Who sees what: the subscriber all of theirs, an operator only the rows
 * of services its organizations run, an admin everything; the scoping is part of the query. A period past the
 * correction window is archived (its partitions detached): 410 rather than an empty list that reads as "none".
 */
@Injectable()
export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly partitions: UsagePartitions,
  ) {}

  async usage(
    principal: Principal,
    subscriberId: string,
    period: string,
    serviceId?: string,
  ): Promise<UsageItemDto[]> {
    await this.refuseArchived(period);
    const everything = principal.roles.includes('admin') || principal.subject === subscriberId;
    const operatorIds = principal.organizations
      .filter((grant) => grant.kind === 'operator')
      .map((grant) => grant.id);
    const rows = (await this.dataSource.query(
      `SELECT a.service_id, a.meter, a.quantity::text AS quantity
         FROM usage_aggregates a
         LEFT JOIN services s ON s.service_id = a.service_id
        WHERE a.period = $1 AND a.subscriber_id = $2 AND ($3::uuid IS NULL OR a.service_id = $3)
          AND ($4 OR s.operator_id = ANY($5::uuid[]))
        ORDER BY a.service_id, a.meter`,
      [period, subscriberId, serviceId ?? null, everything, operatorIds],
    )) as { service_id: string; meter: string; quantity: string }[];
    return rows.map((row) => ({ service: row.service_id, meter: row.meter, quantity: row.quantity }));
  }

  private async refuseArchived(period: string): Promise<void> {
    if (await this.partitions.isArchived(period))
      throw new MeteringError(
        'gone',
        'usage_archived',
        `the usage of ${period} is archived (past the correction window); the ledger's statements keep what the period's close allocated`,
        { field: 'period' },
      );
  }
}

import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { MeteringError } from '../metering-errors.js';
import { UsagePartitionsRepository } from '../periods/usage-partitions.repository.js';
import { UsageRepository } from './usage.repository.js';

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
    private readonly aggregates: UsageRepository,
    private readonly partitions: UsagePartitionsRepository,
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
    const lines = await this.aggregates.linesOf({
      period,
      subscriberId,
      serviceId: serviceId ?? null,
      everything,
      operatorIds,
    });
    return lines.map((line) => ({
      service: line.serviceId,
      meter: line.meter,
      quantity: line.quantity.toString(),
    }));
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

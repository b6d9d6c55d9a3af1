import { Injectable } from '@nestjs/common';
import { announcedPeriods, type CloudEvent } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { type EntityManager } from 'typeorm';

import { PeriodsRepository } from './periods.repository.js';
import { type UsageRecorded } from './usage-recorded-events.js';

/**
 * The one way metering publishes UsageRecorded: each is counted for every period it names in the transaction that
 * appends it to the outbox, so the count a seal reads is exactly what was announced for the period (its watermark).
 * Callers hold the period's seal lock shared (`lockPeriodsForUsage`).
 */
@Injectable()
export class UsageAnnouncements {
  constructor(
    private readonly outbox: OutboxWriter,
    private readonly periods: PeriodsRepository,
  ) {}

  /** Appends the UsageRecorded (counted) and, in the same outbox call, events that go with them. */
  async append(
    manager: EntityManager,
    recorded: readonly UsageRecorded[],
    alongside: readonly CloudEvent[] = [],
  ): Promise<void> {
    const perPeriod = new Map<string, number>();
    for (const event of recorded)
      for (const period of announcedPeriods(event.data))
        perPeriod.set(period, (perPeriod.get(period) ?? 0) + 1);
    const periods = [...perPeriod.keys()].sort();
    if (periods.length > 0)
      await this.periods.addAnnouncements(
        manager,
        periods,
        periods.map((period) => perPeriod.get(period) ?? 0),
      );
    await this.outbox.append(manager, [...recorded, ...alongside]);
  }
}

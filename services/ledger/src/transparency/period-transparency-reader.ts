import { Injectable } from '@nestjs/common';
import { parseAllocationInput, tracePeriod } from '@onecommons/allocation';
import { DataSource } from 'typeorm';
import { publicAdjustmentDto } from '../adjustments/adjustment-views.js';
import { PeriodAdjustmentsRepository } from '../adjustments/period-adjustments.repository.js';
import { roleTotals } from '../periods/earnings-visibility.js';
import { PeriodCloser } from '../periods/period-closer.js';
import { ClosedPeriodCache } from './closed-period-cache.js';
import { fundedProjects, type PeriodTransparency, projectFlowTotals } from './period-transparency.js';
import { type ClosedPeriodListing, TransparencyRepository } from './transparency.repository.js';

/** Closed periods whose computed page data stay in memory (about a hundred bytes per funded project each). */
const CACHED_PERIODS = 36;

/** A closed period's public page data with its funded projects named. */
export interface NamedPeriodTransparency extends PeriodTransparency {
  /** The funded projects' names, sorted; one without a name in the ledger's projection is left out. */
  readonly projectNames: readonly string[];
}

/**
 * Reads what the public transparency pages show. A period's flow through projects is traced from the input the
 * close recorded (the whole usage: heavy for a large period), once per period and adjustment, then kept
 * (`ClosedPeriodCache`); the projects' names are read on each request, so a renamed project shows its new name.
 */
@Injectable()
export class PeriodTransparencyReader {
  private readonly cache = new ClosedPeriodCache<PeriodTransparency>(CACHED_PERIODS);

  constructor(
    private readonly dataSource: DataSource,
    private readonly closer: PeriodCloser,
    private readonly adjustments: PeriodAdjustmentsRepository,
    private readonly repository: TransparencyRepository,
  ) {}

  closedPeriods(): Promise<ClosedPeriodListing[]> {
    return this.repository.closedPeriods(this.dataSource.manager);
  }

  /** The closed period's page data, or null while it is not closed. */
  async period(period: string): Promise<NamedPeriodTransparency | null> {
    const version = await this.repository.closedVersion(this.dataSource.manager, period);
    if (version === null) return null;
    const transparency = await this.cache.read(period, version, () => this.compute(period));
    const names = await this.repository.projectNames(this.dataSource.manager, transparency.fundedProjects);
    return {
      ...transparency,
      projectNames: transparency.fundedProjects
        .flatMap((id) => names.get(id) ?? [])
        .sort((left, right) => left.localeCompare(right, 'en')),
    };
  }

  private async compute(period: string): Promise<PeriodTransparency> {
    const manager = this.dataSource.manager;
    const closed = await this.closer.find(period, manager);
    if (!closed) throw new Error(`${period} was closed a moment ago and is not now`);
    const parsed = parseAllocationInput(await this.closer.closedInput(manager, closed));
    if (!parsed.ok) throw new Error(`the recorded input of ${period} does not parse: ${parsed.error.reason}`);
    const { projects } = tracePeriod(parsed.input);
    return {
      period,
      total: closed.total,
      merkleRoot: closed.merkleRoot,
      closedAt: closed.closedAt,
      roles: roleTotals(closed.allocation.allocations),
      adjustments: (await this.adjustments.list(manager, period)).map(publicAdjustmentDto),
      projectFlow: projectFlowTotals(projects),
      fundedProjects: fundedProjects(projects),
    };
  }
}

import { type PeriodTrace } from '@onecommons/allocation';
import { type PublicAdjustmentDto } from '../adjustments/adjustment-views.js';
import { type RoleTotalsDto } from '../periods/earnings-visibility.js';

/**
 * What the public transparency page shows of a closed period (docs/privacy.md "The transparency page"): the
 * public result of the close and of each adjustment, and the projects' flow in aggregate. Never one party's
 * amount: no row of the allocation, no project's inflow; the funded projects by id only (the page names them).
 */
export interface PeriodTransparency {
  readonly period: string;
  readonly total: string;
  readonly merkleRoot: string;
  readonly closedAt: string;
  readonly roles: RoleTotalsDto;
  /** Oldest first, each with its own root (docs/trust-rules.md "nothing closed is rewritten"). */
  readonly adjustments: readonly PublicAdjustmentDto[];
  readonly projectFlow: ProjectFlowTotals;
  /** Every project that received part of a developer share, directly or through its dependents. */
  readonly fundedProjects: readonly string[];
}

/** One dependency level of step 4, summed over its projects. */
export interface DependencyLevelTotals {
  /** 0 = the developer shares of the services' own projects; k = passed down k times. */
  readonly level: number;
  readonly projects: number;
  readonly inflow: bigint;
  readonly passed: bigint;
  readonly kept: bigint;
}

export interface ProjectFlowTotals {
  readonly levels: readonly DependencyLevelTotals[];
  /** What the services' own projects received (level 0's inflow). */
  readonly developerShare: bigint;
  /** What projects passed on to their dependencies, over all levels. */
  readonly passedToDependencies: bigint;
}

/** Step 4 of the close summed per level: how much flowed to projects and through their dependencies. */
export function projectFlowTotals(projects: PeriodTrace['projects']): ProjectFlowTotals {
  const byLevel = new Map<number, { projects: number; inflow: bigint; passed: bigint; kept: bigint }>();
  for (const flow of projects.levels) {
    const sum = byLevel.get(flow.level) ?? { projects: 0, inflow: 0n, passed: 0n, kept: 0n };
    const passed = flow.passed.reduce((total, share) => total + share.amount, 0n);
    byLevel.set(flow.level, {
      projects: sum.projects + 1,
      inflow: sum.inflow + flow.inflow,
      passed: sum.passed + passed,
      kept: sum.kept + flow.kept,
    });
  }
  const levels = [...byLevel]
    .sort(([left], [right]) => left - right)
    .map(([level, sum]) => ({ level, ...sum }));
  return {
    levels,
    developerShare: levels.find((level) => level.level === 0)?.inflow ?? 0n,
    passedToDependencies: levels.reduce((total, level) => total + level.passed, 0n),
  };
}

/** The projects that received anything at any level, by id, sorted. */
export function fundedProjects(projects: PeriodTrace['projects']): string[] {
  return [...new Set(projects.levels.filter((flow) => flow.inflow > 0n).map((flow) => flow.project))].sort();
}

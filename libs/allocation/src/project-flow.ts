import { escrowAccount, memberAccount } from './account-key.js';
import { type AccountTotals, addTo } from './account-totals.js';
import { type Project } from './allocation-input.js';
import { bpsShare, splitByWeight } from './split.js';

/** One project's inflow at one level of step 4, and what it did with it. */
export interface ProjectLevelFlow {
  /** 0 = the developer parts of the project's services; k = what its dependents passed at level k - 1. */
  readonly level: number;
  readonly project: string;
  readonly inflow: bigint;
  /** What it passed to each dependency (summed into their inflow at `level + 1`), by dependency id. */
  readonly passed: readonly { readonly dependency: string; readonly amount: bigint }[];
  /** inflow - passed: what it keeps at this level. */
  readonly kept: bigint;
}

/** What a project kept over all levels, paid once to its members by weight, or held in its escrow. */
export interface ProjectPayout {
  readonly project: string;
  readonly kept: bigint;
  /** `member:<account>` rows, or the one `escrow:<project>` row; amounts > 0, summing to `kept`. */
  readonly recipients: readonly { readonly account: string; readonly amount: bigint }[];
}

export interface ProjectFlowTrace {
  /** Level by level, in the order the engine walks them. */
  readonly levels: readonly ProjectLevelFlow[];
  readonly payouts: readonly ProjectPayout[];
}

/**
 * Step 4: developer parts flow down the dependency graph level by level (level 0 = D per project). Below the depth
 * limit a project with weighted dependencies passes `dependenciesBps` of its inflow on and keeps the rest; at the
 * limit it keeps all. Each project's kept total goes to its members by weight, or to its escrow without members.
 */
export function flowThroughProjects(
  developerParts: ReadonlyMap<string, bigint>,
  projects: ReadonlyMap<string, Project>,
  maxDependencyDepth: number,
  accounts: AccountTotals,
): void {
  const { payouts } = traceProjectFlow(developerParts, projects, maxDependencyDepth);
  for (const payout of payouts)
    for (const recipient of payout.recipients) accounts.credit(recipient.account, recipient.amount);
}

/** Step 4 with every level's flows recorded: what statements and the transparency page show. */
export function traceProjectFlow(
  developerParts: ReadonlyMap<string, bigint>,
  projects: ReadonlyMap<string, Project>,
  maxDependencyDepth: number,
): ProjectFlowTrace {
  const levels: ProjectLevelFlow[] = [];
  const kept = new Map<string, bigint>();
  let level: ReadonlyMap<string, bigint> = developerParts;
  for (let depth = 0; level.size > 0; depth++) {
    const nextLevel = new Map<string, bigint>();
    for (const [projectId, inflow] of level) {
      const project = projects.get(projectId);
      const passed =
        project !== undefined && depth < maxDependencyDepth ? passToDependencies(project, inflow) : [];
      for (const share of passed) addTo(nextLevel, share.dependency, share.amount);
      const keptHere = inflow - passed.reduce((sum, share) => sum + share.amount, 0n);
      addTo(kept, projectId, keptHere);
      levels.push({ level: depth, project: projectId, inflow, passed, kept: keptHere });
    }
    level = nextLevel;
  }
  const payouts = Array.from(kept, ([projectId, amount]) => ({
    project: projectId,
    kept: amount,
    recipients: payMembers(projectId, projects.get(projectId), amount),
  }));
  return { levels, payouts };
}

/** The project's pass-on share of `inflow`, split over its weighted dependencies (none below 1 uCC). */
function passToDependencies(
  project: Project,
  inflow: bigint,
): { readonly dependency: string; readonly amount: bigint }[] {
  const dependencies = project.dependencies.filter((dependency) => dependency.weight > 0n);
  if (dependencies.length === 0) return [];
  const passed = bpsShare(inflow, project.dependenciesBps);
  if (passed === 0n) return [];
  const shares = splitByWeight(
    passed,
    dependencies.map((dependency) => dependency.id),
    dependencies.map((dependency) => dependency.weight),
  );
  return dependencies
    .map((dependency, index) => ({ dependency: dependency.id, amount: shares[index] as bigint }))
    .filter((share) => share.amount > 0n);
}

function payMembers(
  projectId: string,
  project: Project | undefined,
  amount: bigint,
): { account: string; amount: bigint }[] {
  const members = project?.members.filter((member) => member.weight > 0n) ?? [];
  if (members.length === 0) return amount > 0n ? [{ account: escrowAccount(projectId), amount }] : [];
  const shares = splitByWeight(
    amount,
    members.map((member) => member.id),
    members.map((member) => member.weight),
  );
  return members
    .map((member, index) => ({ account: memberAccount(member.id), amount: shares[index] as bigint }))
    .filter((recipient) => recipient.amount > 0n);
}

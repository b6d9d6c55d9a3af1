import { escrowAccount, memberAccount } from './account-key.js';
import { type AccountTotals, addTo } from './account-totals.js';
import { type Project } from './allocation-input.js';
import { bpsShare, splitByWeight } from './split.js';

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
  const kept = new Map<string, bigint>();
  let level: ReadonlyMap<string, bigint> = developerParts;
  for (let depth = 0; level.size > 0; depth++) {
    const nextLevel = new Map<string, bigint>();
    for (const [projectId, inflow] of level) {
      const project = projects.get(projectId);
      const passed =
        project !== undefined && depth < maxDependencyDepth
          ? passToDependencies(project, inflow, nextLevel)
          : 0n;
      addTo(kept, projectId, inflow - passed);
    }
    level = nextLevel;
  }
  for (const [projectId, amount] of kept) payMembers(projectId, projects.get(projectId), amount, accounts);
}

/** Splits the project's pass-on share of `inflow` over its dependencies into `nextLevel`; returns what it passed. */
function passToDependencies(project: Project, inflow: bigint, nextLevel: Map<string, bigint>): bigint {
  const dependencies = project.dependencies.filter((dependency) => dependency.weight > 0n);
  if (dependencies.length === 0) return 0n;
  const passed = bpsShare(inflow, project.dependenciesBps);
  if (passed === 0n) return 0n;
  const shares = splitByWeight(
    passed,
    dependencies.map((dependency) => dependency.id),
    dependencies.map((dependency) => dependency.weight),
  );
  dependencies.forEach((dependency, index) => addTo(nextLevel, dependency.id, shares[index] as bigint));
  return passed;
}

function payMembers(
  projectId: string,
  project: Project | undefined,
  amount: bigint,
  accounts: AccountTotals,
): void {
  const members = project?.members.filter((member) => member.weight > 0n) ?? [];
  if (members.length === 0) {
    accounts.credit(escrowAccount(projectId), amount);
    return;
  }
  const shares = splitByWeight(
    amount,
    members.map((member) => member.id),
    members.map((member) => member.weight),
  );
  members.forEach((member, index) => accounts.credit(memberAccount(member.id), shares[index] as bigint));
}

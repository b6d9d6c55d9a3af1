import { AccountTotals, addTo } from './account-totals.js';
import { type Agreement, type AllocationInput } from './allocation-input.js';
import { type PeriodAllocation } from './allocation-output.js';
import { merkleRoot } from './merkle.js';
import { flowThroughProjects } from './project-flow.js';
import { splitServiceShare } from './service-split.js';
import { splitSubscriberTokens } from './subscriber-split.js';

/**
 * Allocates one period's subscriber tokens (DESIGN §4, steps 1–5). Pure and deterministic: the same input gives
 * the same output whatever the order of its lists, and the allocations always sum to the total.
 */
export function allocatePeriod(input: AllocationInput): PeriodAllocation {
  const accounts = new AccountTotals();
  const serviceShares = splitSubscriberTokens(input, accounts);
  const developerParts = splitServiceShares(input, serviceShares, accounts);
  const projects = new Map(input.projects.map((project) => [project.id, project]));
  flowThroughProjects(developerParts, projects, input.policy.maxDependencyDepth, accounts);

  const allocations = accounts.rows();
  const total = totalTokens(input);
  const allocated = allocations.reduce((sum, row) => sum + row.amount, 0n);
  if (allocated !== total) throw new Error(`allocation lost tokens: allocated ${allocated} of ${total}`);
  return { period: input.period, total, allocations, merkleRoot: merkleRoot(allocations) };
}

/** Steps 2–3 for every service with a share; returns project id → level-0 developer part. */
function splitServiceShares(
  input: AllocationInput,
  serviceShares: ReadonlyMap<string, bigint>,
  accounts: AccountTotals,
): Map<string, bigint> {
  const services = new Map(input.services.map((service) => [service.id, service]));
  const agreementsByProject = groupAgreementsByProject(input.agreements);
  const developerParts = new Map<string, bigint>();
  for (const [serviceId, amount] of serviceShares) {
    const service = services.get(serviceId);
    if (service === undefined) throw new Error(`usage names an unknown service ${serviceId}`);
    const type = input.serviceTypes.get(service.type);
    if (type === undefined) throw new Error(`service ${serviceId} has an unknown type ${service.type}`);
    const agreements = service.project === null ? [] : (agreementsByProject.get(service.project) ?? []);
    const developerPart = splitServiceShare(service, type, agreements, amount, accounts);
    if (service.project !== null) addTo(developerParts, service.project, developerPart);
  }
  return developerParts;
}

function groupAgreementsByProject(agreements: readonly Agreement[]): Map<string, Agreement[]> {
  const byProject = new Map<string, Agreement[]>();
  for (const agreement of agreements) {
    const list = byProject.get(agreement.project);
    if (list === undefined) byProject.set(agreement.project, [agreement]);
    else list.push(agreement);
  }
  return byProject;
}

function totalTokens(input: AllocationInput): bigint {
  let total = 0n;
  for (const subscriber of input.subscribers) if (subscriber.tokens > 0n) total += subscriber.tokens;
  return total;
}

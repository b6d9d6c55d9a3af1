import { GENERAL_FUND } from './account-key.js';
import { AccountTotals, addTo } from './account-totals.js';
import { type Agreement, type AllocationInput } from './allocation-input.js';
import { type PeriodAllocation } from './allocation-output.js';
import { merkleRoot } from './merkle.js';
import { flowThroughProjects } from './project-flow.js';
import { splitServiceShare } from './service-split.js';
import { type MixedInteger } from './split.js';
import { ServiceShares } from './subscriber-split.js';
import { weighSubscriberUsage } from './subscriber-weights.js';

/**
 * Allocates one period's subscriber tokens (docs/money-rules.md, steps 1–5). Pure and deterministic: the same input gives
 * the same output whatever the order of its lists, and the allocations always sum to the total.
 */
export function allocatePeriod(input: AllocationInput): PeriodAllocation {
  const weights = weighSubscriberUsage(input);
  const allocator = new PeriodAllocator(input);
  for (const subscriber of input.subscribers) allocator.add(subscriber.tokens, weights.get(subscriber.id));
  return allocator.finish();
}

/** Everything an allocation reads but its subscribers and usage rows: the period, policy and catalog facts. */
export type AllocationContext = Omit<AllocationInput, 'subscribers' | 'usage'>;

/**
 * `allocatePeriod` for an input too large to hold: subscribers arrive one at a time with their weighed usage
 * (`UsageWeigher`), step 1 is summed per service as they come, and steps 2–5 run once at `finish`. What it keeps
 * grows with the services and accounts, never with the subscribers.
 */
export class PeriodAllocator {
  private readonly step1: ServiceShares;
  private total = 0n;

  constructor(private readonly context: AllocationContext) {
    this.step1 = new ServiceShares(context.policy);
  }

  /** One subscriber: its tokens and its usage's weight per service (after the cap and the minimum's drops). */
  add(tokens: bigint, weights: ReadonlyMap<string, MixedInteger> | undefined): void {
    if (tokens <= 0n) return;
    this.total += tokens;
    this.step1.add(tokens, weights);
  }

  finish(): PeriodAllocation {
    const { context } = this;
    const accounts = new AccountTotals();
    accounts.credit(GENERAL_FUND, this.step1.fund);
    const developerParts = splitServiceShares(context, this.step1.byService(), accounts);
    const projects = new Map(context.projects.map((project) => [project.id, project]));
    flowThroughProjects(developerParts, projects, context.policy.maxDependencyDepth, accounts);
    const allocations = accounts.rows();
    const allocated = allocations.reduce((sum, row) => sum + row.amount, 0n);
    if (allocated !== this.total)
      throw new Error(`allocation lost tokens: allocated ${allocated} of ${this.total}`);
    return { period: context.period, total: this.total, allocations, merkleRoot: merkleRoot(allocations) };
  }
}

/** Steps 2–3 for every service with a share; returns project id → level-0 developer part. */
function splitServiceShares(
  input: AllocationContext,
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

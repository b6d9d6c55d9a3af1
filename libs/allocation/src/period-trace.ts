import { GENERAL_FUND } from './account-key.js';
import { type AllocationInput } from './allocation-input.js';
import { traceProjectFlow, type ProjectFlowTrace } from './project-flow.js';
import { serviceStatements, type ServiceStatement } from './service-statements.js';
import { bpsShare, splitByWeight } from './split.js';
import { weighSubscriberUsage } from './subscriber-weights.js';

/** Where a period's allocation came from, step by step: the engine's own steps, recorded. */
export interface PeriodTrace {
  readonly fund: {
    /** The general fund's cut of paying subscribers' tokens (step 1). */
    readonly share: bigint;
    /** Tokens of paying subscribers who used nothing with weight: all to the fund. */
    readonly unused: bigint;
  };
  readonly services: readonly ServiceStatement[];
  /** Per service: how many paying subscribers used it and their summed weight (after the policy's knobs). */
  readonly usage: ReadonlyMap<string, ServiceUsage>;
  readonly projects: ProjectFlowTrace;
}

export interface ServiceUsage {
  readonly subscribers: number;
  readonly weight: bigint;
}

/** One part of an account's amount, by where it came from. The parts of an account sum to its allocation row. */
export type SourceLine =
  | { readonly role: 'fund_share' | 'unused_tokens'; readonly amount: bigint }
  | { readonly role: 'provider' | 'operator'; readonly service: string; readonly amount: bigint }
  | {
      /** `developer`: the service's own project (level 0); `dependency`: passed down from it (level ≥ 1). */
      readonly role: 'developer' | 'dependency';
      readonly service: string;
      /** The service's project, where the developer part started. */
      readonly sourceProject: string;
      /** The project that kept it and paid the account (a member) or holds it (its escrow). */
      readonly project: string;
      readonly level: number;
      readonly amount: bigint;
    };

export function tracePeriod(input: AllocationInput): PeriodTrace {
  const services = serviceStatements(input);
  const developerParts = new Map<string, bigint>();
  for (const statement of services)
    if (statement.developer !== null)
      developerParts.set(
        statement.developer.project,
        (developerParts.get(statement.developer.project) ?? 0n) + statement.developer.amount,
      );
  const projects = traceProjectFlow(
    new Map([...developerParts].filter(([, amount]) => amount > 0n)),
    new Map(input.projects.map((project) => [project.id, project])),
    input.policy.maxDependencyDepth,
  );
  const { fund, usage } = fundAndUsage(input);
  return { fund, services, usage, projects };
}

function fundAndUsage(input: AllocationInput): Pick<PeriodTrace, 'fund' | 'usage'> {
  const weights = weighSubscriberUsage(input);
  let share = 0n;
  let unused = 0n;
  const usage = new Map<string, { subscribers: number; weight: bigint }>();
  for (const subscriber of input.subscribers) {
    if (subscriber.tokens <= 0n) continue;
    const used = weights.get(subscriber.id);
    if (used === undefined || used.size === 0) {
      unused += subscriber.tokens;
      continue;
    }
    share += bpsShare(subscriber.tokens, input.policy.generalFundBps);
    for (const [service, weight] of used) {
      const sum = usage.get(service) ?? { subscribers: 0, weight: 0n };
      usage.set(service, { subscribers: sum.subscribers + 1, weight: sum.weight + BigInt(weight) });
    }
  }
  return { fund: { share, unused }, usage };
}

/**
 * The parts of one account's allocation row, by source. Fund, provider and operator parts are the engine's own
 * amounts. A member's (or escrow's) amount from a project is the engine's too; the engine splits summed flows,
 * so it is attributed to the services and levels behind it by the weighted split (docs/money-rules.md) of that
 * amount, weighted by each service's exact share of what the project kept at each level.
 */
export function accountSources(trace: PeriodTrace, account: string): SourceLine[] {
  if (account === GENERAL_FUND)
    return [
      { role: 'fund_share' as const, amount: trace.fund.share },
      { role: 'unused_tokens' as const, amount: trace.fund.unused },
    ].filter((line) => line.amount > 0n);
  const kind = account.slice(0, account.indexOf(':'));
  if (kind === 'provider' || kind === 'operator')
    return trace.services.flatMap((statement) =>
      statement.credits
        .filter((credit) => credit.account === account)
        .map((credit) => ({ role: kind, service: statement.service, amount: credit.amount })),
    );
  const origins = new ProjectOrigins(trace);
  return trace.projects.payouts.flatMap((payout) => {
    const recipient = payout.recipients.find((candidate) => candidate.account === account);
    return recipient ? origins.attribute(payout.project, recipient.amount) : [];
  });
}

/** A non-negative rational: numerator / denominator, kept reduced. */
interface Fraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * Which services' developer parts make up each project's inflow at each level, exactly (as fractions): level 0 is
 * the developer parts of the project's services; a share passed on carries the composition of the inflow it was
 * passed from.
 */
class ProjectOrigins {
  /** `${level}|${project}` → service → its exact part of that inflow. */
  private readonly compositions = new Map<string, Map<string, Fraction>>();

  constructor(private readonly trace: PeriodTrace) {
    for (const statement of trace.services)
      if (statement.developer !== null && statement.developer.amount > 0n)
        addPart(
          this.composition(0, statement.developer.project),
          statement.service,
          fraction(statement.developer.amount, 1n),
        );
    for (const flow of trace.projects.levels) {
      const inflow = this.composition(flow.level, flow.project);
      for (const share of flow.passed) {
        const next = this.composition(flow.level + 1, share.dependency);
        for (const [service, part] of inflow) addPart(next, service, scale(part, share.amount, flow.inflow));
      }
    }
  }

  /** `amount` (paid by `project` to one recipient) over the services and levels behind what the project kept. */
  attribute(project: string, amount: bigint): SourceLine[] {
    const sources: { level: number; service: string; kept: Fraction }[] = [];
    for (const flow of this.trace.projects.levels) {
      if (flow.project !== project || flow.kept === 0n) continue;
      for (const [service, part] of this.composition(flow.level, project))
        sources.push({ level: flow.level, service, kept: scale(part, flow.kept, flow.inflow) });
    }
    const common = sources.reduce((lcm, source) => leastCommonMultiple(lcm, source.kept.denominator), 1n);
    const shares = splitByWeight(
      amount,
      sources.map((source) => `${String(source.level).padStart(6, '0')}:${source.service}`),
      sources.map((source) => source.kept.numerator * (common / source.kept.denominator)),
    );
    const sourceProject = new Map(
      this.trace.services.map((statement) => [statement.service, statement.developer?.project ?? '']),
    );
    return sources
      .map((source, index) => ({
        role: source.level === 0 ? ('developer' as const) : ('dependency' as const),
        service: source.service,
        sourceProject: sourceProject.get(source.service) ?? '',
        project,
        level: source.level,
        amount: shares[index] as bigint,
      }))
      .filter((line) => line.amount > 0n);
  }

  private composition(level: number, project: string): Map<string, Fraction> {
    const key = `${level}|${project}`;
    let composition = this.compositions.get(key);
    if (!composition) this.compositions.set(key, (composition = new Map()));
    return composition;
  }
}

function addPart(composition: Map<string, Fraction>, service: string, part: Fraction): void {
  const sum = composition.get(service);
  if (!sum) {
    composition.set(service, part);
    return;
  }
  const denominator = leastCommonMultiple(sum.denominator, part.denominator);
  composition.set(
    service,
    fraction(
      sum.numerator * (denominator / sum.denominator) + part.numerator * (denominator / part.denominator),
      denominator,
    ),
  );
}

/** part * amount / total */
const scale = (part: Fraction, amount: bigint, total: bigint): Fraction =>
  fraction(part.numerator * amount, part.denominator * total);

function fraction(numerator: bigint, denominator: bigint): Fraction {
  const divisor = greatestCommonDivisor(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

function greatestCommonDivisor(left: bigint, right: bigint): bigint {
  let [a, b] = [left, right];
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}

const leastCommonMultiple = (left: bigint, right: bigint): bigint =>
  (left / greatestCommonDivisor(left, right)) * right;

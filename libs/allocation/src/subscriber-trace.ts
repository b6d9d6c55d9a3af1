import { AccountTotals } from './account-totals.js';
import { type AllocationInput } from './allocation-input.js';
import { traceProjectFlow, type ProjectFlowTrace } from './project-flow.js';
import { splitServiceShare } from './service-split.js';
import { subscriberSplit } from './subscriber-split.js';

/** One subscriber's tokens followed all the way: fund, services, their roles, projects, dependencies, members. */
export interface SubscriberTrace {
  readonly subscriber: string;
  readonly tokens: bigint;
  readonly fund: bigint;
  readonly services: readonly SubscriberServiceTrace[];
}

export interface SubscriberServiceTrace {
  readonly service: string;
  /** The subscriber's own usage weight for the service (after the policy's knobs). */
  readonly weight: bigint;
  readonly amount: bigint;
  /** Provider and operator accounts credited from this amount (steps 2–3), by account key. */
  readonly credits: readonly { readonly account: string; readonly amount: bigint }[];
  /** The developer part and how it flowed through the project's dependencies to members or escrows. */
  readonly developer: {
    readonly project: string;
    readonly amount: bigint;
    readonly flow: ProjectFlowTrace;
  } | null;
}

/**
 * Steps 2–4 applied to one subscriber's step-1 amounts alone, service by service, with the period's terms. The
 * engine applies them to the sums over all subscribers, so these parts can differ from a proportional share of the
 * period's rows by the rounding of each split; they always sum exactly to the subscriber's tokens.
 */
export function traceSubscriber(input: AllocationInput, subscriberId: string): SubscriberTrace | null {
  const split = subscriberSplit(input, subscriberId);
  if (split === null) return null;
  const services = new Map(input.services.map((service) => [service.id, service]));
  const projects = new Map(input.projects.map((project) => [project.id, project]));
  return {
    subscriber: subscriberId,
    tokens: split.tokens,
    fund: split.fund,
    services: split.services.map(({ service: serviceId, weight, amount }) => {
      const service = services.get(serviceId);
      const type = service && input.serviceTypes.get(service.type);
      if (!service || !type) throw new Error(`usage names an unknown service or type: ${serviceId}`);
      const agreements =
        service.project === null
          ? []
          : input.agreements.filter((agreement) => agreement.project === service.project);
      const credits = new AccountTotals();
      const developerPart = splitServiceShare(service, type, agreements, amount, credits);
      const project = service.project;
      return {
        service: serviceId,
        weight,
        amount,
        credits: credits.rows().map((row) => ({ account: row.account, amount: row.amount })),
        developer:
          project === null
            ? null
            : {
                project,
                amount: developerPart,
                flow: traceProjectFlow(
                  new Map(developerPart > 0n ? [[project, developerPart]] : []),
                  projects,
                  input.policy.maxDependencyDepth,
                ),
              },
      };
    }),
  };
}

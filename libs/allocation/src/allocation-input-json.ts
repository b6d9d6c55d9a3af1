import { type AllocationInput, type WeightedParty } from './allocation-input.js';

/**
 * An allocation input in the shared vectors' JSON shape (integers as decimal strings), so that
 * `commons allocate` run on it gives the same output as the ledger did: `parseAllocationInput` reads it back.
 */
export function toAllocationInputJson(input: AllocationInput): Record<string, unknown> {
  const { policy } = input;
  const parties = (list: readonly WeightedParty[], idField: string, weightField: string) =>
    list.map((party) => ({ [idField]: party.id, [weightField]: party.weight.toString() }));
  return {
    period: input.period,
    policy: {
      generalFundBps: policy.generalFundBps.toString(),
      maxDependencyDepth: policy.maxDependencyDepth,
      ...(policy.capWeightPerService === null
        ? {}
        : { capWeightPerService: policy.capWeightPerService.toString() }),
      ...(policy.minSubscribersPerService === null
        ? {}
        : { minSubscribersPerService: policy.minSubscribersPerService.toString() }),
    },
    meters: Object.fromEntries([...input.meters].map(([name, weight]) => [name, weight.toString()])),
    serviceTypes: Object.fromEntries(
      [...input.serviceTypes].map(([name, type]) => [
        name,
        { providerBps: type.providerBps.toString(), developerBps: type.developerBps.toString() },
      ]),
    ),
    subscribers: input.subscribers.map((subscriber) => ({
      id: subscriber.id,
      tokens: subscriber.tokens.toString(),
    })),
    usage: input.usage.map((row) => ({
      subscriber: row.subscriber,
      service: row.service,
      meter: row.meter,
      quantity: row.quantity.toString(),
    })),
    services: input.services.map((service) => ({
      id: service.id,
      type: service.type,
      operator: service.operator,
      project: service.project,
      providerBps: service.providerBps?.toString() ?? null,
      developerBps: service.developerBps?.toString() ?? null,
      providers: parties(service.providers, 'id', 'points'),
    })),
    projects: input.projects.map((project) => ({
      id: project.id,
      dependenciesBps: project.dependenciesBps.toString(),
      dependencies: parties(project.dependencies, 'project', 'weight'),
      members: parties(project.members, 'account', 'weight'),
    })),
    agreements: input.agreements.map((agreement) => ({
      project: agreement.project,
      operator: agreement.operator,
      developerBps: agreement.developerBps.toString(),
      binding: agreement.binding,
    })),
  };
}

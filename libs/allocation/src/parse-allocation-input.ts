import {
  type AllocationInput,
  type AllocationPolicy,
  type Agreement,
  DEFAULT_POLICY,
  MAX_DEPENDENCY_DEPTH_LIMIT,
  type Project,
  type Service,
  type ServiceType,
  type Subscriber,
  type UsageRow,
  type WeightedParty,
} from './allocation-input.js';
import { type AllocationInputError, InputProblem } from './allocation-input-error.js';
import {
  readArray,
  readBoolean,
  readBps,
  readCount,
  readEach,
  readField,
  readId,
  readOptionalArray,
  readOptionalBps,
  readOptionalCount,
  readOptionalId,
  readRecord,
  readString,
  rejectUnknownFields,
  UniqueIds,
} from './json-fields.js';

export type AllocationInputResult =
  | { readonly ok: true; readonly input: AllocationInput }
  | { readonly ok: false; readonly error: AllocationInputError };

/**
 * Validates an allocation input in the JSON shape of the shared vectors (integers as safe JSON numbers or
 * decimal strings) and returns typed data, or the first problem found with its JSON path.
 */
export function parseAllocationInput(json: unknown): AllocationInputResult {
  try {
    return { ok: true, input: readAllocationInput(json) };
  } catch (error) {
    if (error instanceof InputProblem) return { ok: false, error: error.toError() };
    throw error;
  }
}

const INPUT_FIELDS = new Set([
  'period',
  'policy',
  'meters',
  'serviceTypes',
  'subscribers',
  'usage',
  'services',
  'projects',
  'agreements',
]);

function readAllocationInput(json: unknown): AllocationInput {
  const root = readRecord(json);
  rejectUnknownFields(root, INPUT_FIELDS);
  const period = readField(root, 'period', readString);
  const policy = readField(root, 'policy', readPolicy);
  const meters = readField(root, 'meters', readMeters);
  const serviceTypes = readField(root, 'serviceTypes', readServiceTypes);
  const subscribers = readField(root, 'subscribers', readSubscribers);
  const services = readField(root, 'services', (value) => readServices(value, serviceTypes));
  const projects = readField(root, 'projects', readProjects);
  const agreements = readField(root, 'agreements', readAgreements);
  const serviceIds = new Set(services.map((service) => service.id));
  const usage = readField(root, 'usage', (value) => readUsage(value, serviceIds, meters));
  return { period, policy, meters, serviceTypes, subscribers, usage, services, projects, agreements };
}

const POLICY_FIELDS = new Set([
  'generalFundBps',
  'maxDependencyDepth',
  'capWeightPerService',
  'minSubscribersPerService',
]);

function readPolicy(value: unknown): AllocationPolicy {
  if (value === undefined) return DEFAULT_POLICY;
  const policy = readRecord(value);
  rejectUnknownFields(policy, POLICY_FIELDS);
  return {
    generalFundBps: readField(policy, 'generalFundBps', readOptionalBps) ?? DEFAULT_POLICY.generalFundBps,
    maxDependencyDepth: readField(policy, 'maxDependencyDepth', readMaxDependencyDepth),
    capWeightPerService: readField(policy, 'capWeightPerService', readOptionalCount),
    minSubscribersPerService: readField(policy, 'minSubscribersPerService', readOptionalCount),
  };
}

function readMaxDependencyDepth(value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_POLICY.maxDependencyDepth;
  const depth = readCount(value);
  if (depth > BigInt(MAX_DEPENDENCY_DEPTH_LIMIT)) {
    throw new InputProblem(`must be at most ${MAX_DEPENDENCY_DEPTH_LIMIT}`);
  }
  return Number(depth);
}

function readMeters(value: unknown): ReadonlyMap<string, bigint> {
  const meters = readRecord(value);
  return new Map(Object.keys(meters).map((name) => [name, readField(meters, name, readCount)]));
}

const SERVICE_TYPE_FIELDS = new Set(['providerBps', 'developerBps']);

function readServiceTypes(value: unknown): ReadonlyMap<string, ServiceType> {
  const types = readRecord(value);
  return new Map(Object.keys(types).map((name) => [name, readField(types, name, readServiceType)]));
}

function readServiceType(value: unknown): ServiceType {
  const type = readRecord(value);
  rejectUnknownFields(type, SERVICE_TYPE_FIELDS);
  return {
    providerBps: readField(type, 'providerBps', readBps),
    developerBps: readField(type, 'developerBps', readBps),
  };
}

const SUBSCRIBER_FIELDS = new Set(['id', 'tokens']);

function readSubscribers(value: unknown): readonly Subscriber[] {
  const ids = new UniqueIds('subscriber');
  return readEach(readArray(value), (item) => {
    const subscriber = readRecord(item);
    rejectUnknownFields(subscriber, SUBSCRIBER_FIELDS);
    return {
      id: readField(subscriber, 'id', (id) => claimId(ids, id)),
      tokens: readField(subscriber, 'tokens', readCount),
    };
  });
}

const SERVICE_FIELDS = new Set([
  'id',
  'type',
  'operator',
  'project',
  'providerBps',
  'developerBps',
  'providers',
]);

function readServices(value: unknown, serviceTypes: ReadonlyMap<string, ServiceType>): readonly Service[] {
  const ids = new UniqueIds('service');
  return readEach(readArray(value), (item) => {
    const service = readRecord(item);
    rejectUnknownFields(service, SERVICE_FIELDS);
    return {
      id: readField(service, 'id', (id) => claimId(ids, id)),
      type: readField(service, 'type', (type) => readKnownServiceType(type, serviceTypes)),
      operator: readField(service, 'operator', readId),
      project: readField(service, 'project', readOptionalId),
      providerBps: readField(service, 'providerBps', readOptionalBps),
      developerBps: readField(service, 'developerBps', readOptionalBps),
      providers: readField(service, 'providers', (providers) => readParties(providers, 'provider', 'points')),
    };
  });
}

function readKnownServiceType(value: unknown, serviceTypes: ReadonlyMap<string, ServiceType>): string {
  const type = readId(value);
  if (!serviceTypes.has(type)) throw new InputProblem(`unknown service type ${type}`);
  return type;
}

const PROJECT_FIELDS = new Set(['id', 'dependenciesBps', 'dependencies', 'members']);

function readProjects(value: unknown): readonly Project[] {
  const ids = new UniqueIds('project');
  return readEach(readOptionalArray(value), (item) => {
    const project = readRecord(item);
    rejectUnknownFields(project, PROJECT_FIELDS);
    return {
      id: readField(project, 'id', (id) => claimId(ids, id)),
      dependenciesBps: readField(project, 'dependenciesBps', readOptionalBps) ?? 0n,
      dependencies: readField(project, 'dependencies', (list) =>
        readParties(list, 'dependency', 'weight', 'project'),
      ),
      members: readField(project, 'members', (list) => readParties(list, 'member', 'weight', 'account')),
    };
  });
}

/** A list of `{<idField>, <weightField>}` entries, e.g. providers `{id, points}` or members `{account, weight}`. */
function readParties(
  value: unknown,
  what: string,
  weightField: string,
  idField = 'id',
): readonly WeightedParty[] {
  const ids = new UniqueIds(what);
  const fields = new Set([idField, weightField]);
  return readEach(readOptionalArray(value), (item) => {
    const party = readRecord(item);
    rejectUnknownFields(party, fields);
    return {
      id: readField(party, idField, (id) => claimId(ids, id)),
      weight: readField(party, weightField, readCount),
    };
  });
}

const AGREEMENT_FIELDS = new Set(['project', 'operator', 'developerBps', 'binding']);

function readAgreements(value: unknown): readonly Agreement[] {
  return readEach(readOptionalArray(value), (item) => {
    const agreement = readRecord(item);
    rejectUnknownFields(agreement, AGREEMENT_FIELDS);
    return {
      project: readField(agreement, 'project', readId),
      operator: readField(agreement, 'operator', readId),
      developerBps: readField(agreement, 'developerBps', readBps),
      binding: readField(agreement, 'binding', (binding) =>
        binding === undefined ? false : readBoolean(binding),
      ),
    };
  });
}

const USAGE_FIELDS = new Set(['subscriber', 'service', 'meter', 'quantity']);

/** The hot path of parsing (one row per subscriber, service and meter): no closures or path strings per row. */
function readUsage(
  value: unknown,
  serviceIds: ReadonlySet<string>,
  meters: ReadonlyMap<string, bigint>,
): readonly UsageRow[] {
  const items = readArray(value);
  const rows = new Array<UsageRow>(items.length);
  for (let index = 0; index < items.length; index++) {
    try {
      rows[index] = readUsageRow(items[index], serviceIds, meters);
    } catch (error) {
      throw error instanceof InputProblem ? error.under(index) : error;
    }
  }
  return rows;
}

function readUsageRow(
  item: unknown,
  serviceIds: ReadonlySet<string>,
  meters: ReadonlyMap<string, bigint>,
): UsageRow {
  const row = readRecord(item);
  rejectUnknownFields(row, USAGE_FIELDS);
  const subscriber = readField(row, 'subscriber', readId);
  const service = readField(row, 'service', readId);
  if (!serviceIds.has(service)) throw new InputProblem(`unknown service ${service}`).under('service');
  const meter = readField(row, 'meter', readString);
  if (!meters.has(meter)) throw new InputProblem(`unknown meter ${meter}`).under('meter');
  const quantity = readField(row, 'quantity', readCount);
  return { subscriber, service, meter, quantity };
}

function claimId(ids: UniqueIds, value: unknown): string {
  const id = readId(value);
  ids.claim(id);
  return id;
}

import { allocatePeriod } from '../src/allocate-period.js';
import { type PeriodAllocation } from '../src/allocation-output.js';
import { parseAllocationInput } from '../src/parse-allocation-input.js';

type JsonInteger = number | string;

/** An allocation input in its JSON shape, for tests that build periods by hand. */
export interface PeriodJson {
  period?: string;
  policy?: Record<string, JsonInteger | null>;
  meters: Record<string, JsonInteger>;
  serviceTypes: Record<string, { providerBps: JsonInteger; developerBps: JsonInteger }>;
  subscribers: { id: string; tokens: JsonInteger }[];
  usage: { subscriber: string; service: string; meter: string; quantity: JsonInteger }[];
  services: {
    id: string;
    type: string;
    operator: string;
    project: string | null;
    providerBps?: JsonInteger | null;
    developerBps?: JsonInteger | null;
    providers: { id: string; points: JsonInteger }[];
  }[];
  projects?: {
    id: string;
    dependenciesBps?: JsonInteger;
    dependencies?: { project: string; weight: JsonInteger }[];
    members?: { account: string; weight: JsonInteger }[];
  }[];
  agreements?: { project: string; operator: string; developerBps: JsonInteger; binding?: boolean }[];
}

/**
 * One subscriber `alice` with 1000 uCC using service `svc` (type `app`: providerBps 3000, developerBps 1000;
 * operator `op`, no project, no providers); `overrides` replace whole fields.
 */
export function basePeriod(overrides: Partial<PeriodJson> = {}): PeriodJson {
  return {
    period: '2026-11',
    meters: { seconds: 1 },
    serviceTypes: { app: { providerBps: 3000, developerBps: 1000 } },
    subscribers: [{ id: 'alice', tokens: '1000' }],
    usage: [{ subscriber: 'alice', service: 'svc', meter: 'seconds', quantity: '1' }],
    services: [service('svc')],
    projects: [],
    agreements: [],
    ...overrides,
  };
}

export function service(id: string, overrides: Partial<PeriodJson['services'][number]> = {}) {
  return { id, type: 'app', operator: 'op', project: null, providers: [], ...overrides };
}

export function allocationOf(input: unknown): PeriodAllocation {
  const parsed = parseAllocationInput(input);
  if (!parsed.ok) throw new Error(`invalid test input: ${parsed.error.path}: ${parsed.error.reason}`);
  return allocatePeriod(parsed.input);
}

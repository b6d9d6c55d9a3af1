import { SeededRandom } from './seeded-random.js';

export interface SyntheticShape {
  readonly usageRows: number;
  readonly rowsPerSubscriber: number;
  readonly services: number;
  readonly projects: number;
  readonly seed: number;
}

export interface SyntheticInput {
  readonly subscribers: number;
  /** In the JSON shape `parseAllocationInput` reads, integers as decimal strings like the shared vectors. */
  readonly json: unknown;
}

const METERS = { active_seconds: 1, requests: 0, storage_mb_hours: 2 } as const;
const METER_NAMES = Object.keys(METERS);
const OPERATORS = 60;
const PROVIDERS = 8;

/**
 * A period shaped like production might be: subscribers using ~`rowsPerSubscriber` (service, meter) rows each,
 * a few percent on the free tier, services spread over operators and providers, and projects whose dependencies
 * point only to later projects (a DAG several levels deep), some without members (escrow).
 */
export function syntheticAllocationInput(shape: SyntheticShape): SyntheticInput {
  const random = new SeededRandom(shape.seed);
  const subscriberCount = Math.ceil(shape.usageRows / shape.rowsPerSubscriber);
  const subscriberIds = Array.from({ length: subscriberCount }, (_, index) => `user-${index}`);
  const serviceIds = Array.from({ length: shape.services }, (_, index) => `svc-${index}`);
  const projectIds = Array.from({ length: shape.projects }, (_, index) => `project-${index}`);

  const subscribers = subscriberIds.map((id) => ({
    id,
    tokens: random.chance(0.05) ? '0' : String(random.integer(1_000_000, 20_000_000)),
  }));
  const usage = new Array<unknown>(shape.usageRows);
  for (let index = 0; index < shape.usageRows; index++) {
    usage[index] = {
      subscriber: subscriberIds[Math.floor(index / shape.rowsPerSubscriber)],
      // Skewed towards popular services, like real traffic.
      service: serviceIds[Math.floor(random.next() ** 2 * serviceIds.length)],
      meter: random.pick(METER_NAMES),
      quantity: String(random.integer(0, 100_000)),
    };
  }
  const services = serviceIds.map((id) => ({
    id,
    type: random.pick(['web-app', 'database', 'storage']),
    operator: `op-${random.integer(0, OPERATORS - 1)}`,
    project: random.chance(0.1) ? null : random.pick(projectIds),
    ...(random.chance(0.1) ? { developerBps: random.integer(0, 4000) } : {}),
    providers: Array.from({ length: random.integer(0, 3) }, (_, index) => ({
      id: `provider-${(index * 3 + random.integer(0, 2)) % PROVIDERS}-${index}`,
      points: String(random.integer(0, 1000)),
    })),
  }));
  const projects = projectIds.map((id, index) => {
    const later = projectIds.slice(index + 1);
    const dependencies = later.length === 0 ? [] : pickDistinct(random, later, random.integer(0, 4));
    return {
      id,
      dependenciesBps: random.integer(0, 3000),
      dependencies: dependencies.map((project) => ({ project, weight: String(random.integer(1, 10)) })),
      members: random.chance(0.15)
        ? []
        : Array.from({ length: random.integer(1, 5) }, (_, member) => ({
            account: `${id}-dev-${member}`,
            weight: String(random.integer(1, 5)),
          })),
    };
  });
  const agreements = Array.from({ length: shape.projects / 2 }, () => ({
    project: random.pick(projectIds),
    operator: `op-${random.integer(0, OPERATORS - 1)}`,
    developerBps: random.integer(1000, 3000),
    binding: random.chance(0.2),
  }));
  return {
    subscribers: subscriberCount,
    json: {
      period: 'bench',
      policy: {
        generalFundBps: 1000,
        maxDependencyDepth: 3,
        capWeightPerService: '5000000',
        minSubscribersPerService: 2,
      },
      meters: METERS,
      serviceTypes: {
        'web-app': { providerBps: 3000, developerBps: 2000 },
        database: { providerBps: 4000, developerBps: 1500 },
        storage: { providerBps: 6000, developerBps: 1000 },
      },
      subscribers,
      usage,
      services,
      projects,
      agreements,
    },
  };
}

function pickDistinct(random: SeededRandom, items: readonly string[], count: number): string[] {
  const picked = new Set<string>();
  while (picked.size < Math.min(count, items.length)) picked.add(random.pick(items));
  return [...picked];
}

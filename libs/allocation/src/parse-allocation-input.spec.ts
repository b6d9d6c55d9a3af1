import { basePeriod, type PeriodJson, service } from '../test/period-fixture.js';
import { parseAllocationInput } from './parse-allocation-input.js';

function problemOf(input: unknown) {
  const result = parseAllocationInput(input);
  if (result.ok) throw new Error('expected the input to be refused');
  return result.error;
}

/** The base period with one field changed through a JSON round trip, so tests can break it in any way. */
function edited(edit: (json: Record<string, unknown> & PeriodJson) => void): unknown {
  const json = structuredClone(
    basePeriod({
      policy: { generalFundBps: 1000, maxDependencyDepth: 3 },
      services: [service('svc', { project: 'proj', providers: [{ id: 'prov', points: '1' }] })],
      projects: [
        {
          id: 'proj',
          dependenciesBps: 100,
          dependencies: [{ project: 'dep', weight: '1' }],
          members: [{ account: 'dev', weight: '1' }],
        },
      ],
      agreements: [{ project: 'proj', operator: 'op', developerBps: 2000, binding: false }],
    }),
  ) as Record<string, unknown> & PeriodJson;
  edit(json);
  return json;
}

describe('parseAllocationInput', () => {
  it('returns typed data with integers as bigints and defaults applied', () => {
    const result = parseAllocationInput(
      basePeriod({
        subscribers: [{ id: 'alice', tokens: '123456789012345678901234567890' }],
        usage: [{ subscriber: 'alice', service: 'svc', meter: 'seconds', quantity: 42 }],
      }),
    );
    if (!result.ok) throw new Error(result.error.reason);
    const { input } = result;
    expect(input.policy).toEqual({
      generalFundBps: 0n,
      maxDependencyDepth: 3,
      capWeightPerService: null,
      minSubscribersPerService: null,
    });
    expect(input.meters).toEqual(new Map([['seconds', 1n]]));
    expect(input.serviceTypes.get('app')).toEqual({ providerBps: 3000n, developerBps: 1000n });
    expect(input.subscribers).toEqual([{ id: 'alice', tokens: 123456789012345678901234567890n }]);
    expect(input.usage).toEqual([{ subscriber: 'alice', service: 'svc', meter: 'seconds', quantity: 42n }]);
    expect(input.services).toEqual([
      {
        id: 'svc',
        type: 'app',
        operator: 'op',
        project: null,
        providerBps: null,
        developerBps: null,
        providers: [],
      },
    ]);
  });

  it('accepts absent optional lists and fields', () => {
    const input = basePeriod({
      services: [{ id: 'svc', type: 'app', operator: 'op' } as PeriodJson['services'][0]],
    });
    delete input.projects;
    delete input.agreements;
    const result = parseAllocationInput({ ...input, projects: [{ id: 'bare' }] });
    if (!result.ok) throw new Error(result.error.reason);
    expect(result.input.projects).toEqual([
      { id: 'bare', dependenciesBps: 0n, dependencies: [], members: [] },
    ]);
    expect(result.input.agreements).toEqual([]);
    expect(result.input.services[0]?.providers).toEqual([]);
  });

  it.each<[string, (json: Record<string, unknown> & PeriodJson) => void, string, string]>([
    [
      'the README example',
      (json) => (json.usage[0]!.service = 'svc-9'),
      'usage[0].service',
      'unknown service svc-9',
    ],
    ['an unknown meter', (json) => (json.usage[0]!.meter = 'cpu'), 'usage[0].meter', 'unknown meter cpu'],
    [
      'a negative number',
      (json) => (json.usage[0]!.quantity = -1),
      'usage[0].quantity',
      'must not be negative',
    ],
    [
      'a negative string',
      (json) => (json.subscribers[0]!.tokens = '-5'),
      'subscribers[0].tokens',
      'must not be negative',
    ],
    ['a fraction', (json) => (json.usage[0]!.quantity = 1.5), 'usage[0].quantity', 'must be an integer'],
    [
      'a decimal string with a fraction',
      (json) => (json.subscribers[0]!.tokens = '1.0'),
      'subscribers[0].tokens',
      'must be an integer (a decimal string)',
    ],
    [
      'an exponent string',
      (json) => (json.subscribers[0]!.tokens = '1e6'),
      'subscribers[0].tokens',
      'must be an integer (a decimal string)',
    ],
    [
      'an unsafe number',
      (json) => (json.subscribers[0]!.tokens = 2 ** 53),
      'subscribers[0].tokens',
      'must be a safe integer (write larger values as decimal strings)',
    ],
    [
      'a boolean for an integer',
      (json) => (json.meters['seconds'] = true as unknown as number),
      'meters.seconds',
      'must be an integer (a JSON number or a decimal string)',
    ],
    [
      'a missing integer',
      (json) => delete (json.usage[0] as Partial<PeriodJson['usage'][0]>).quantity,
      'usage[0].quantity',
      'is required',
    ],
    [
      'bps above 10000',
      (json) => (json.policy = { generalFundBps: 10001 }),
      'policy.generalFundBps',
      'must be between 0 and 10000 (basis points)',
    ],
    [
      'a service type bps out of range',
      (json) => (json.serviceTypes['app']!.developerBps = '20000'),
      'serviceTypes.app.developerBps',
      'must be between 0 and 10000 (basis points)',
    ],
    [
      'a service bps override out of range',
      (json) => (json.services[0]!.providerBps = 10001),
      'services[0].providerBps',
      'must be between 0 and 10000 (basis points)',
    ],
    [
      'a project bps out of range',
      (json) => (json.projects![0]!.dependenciesBps = 10001),
      'projects[0].dependenciesBps',
      'must be between 0 and 10000 (basis points)',
    ],
    [
      'an agreement bps out of range',
      (json) => (json.agreements![0]!.developerBps = -1),
      'agreements[0].developerBps',
      'must not be negative',
    ],
    [
      'a duplicate subscriber',
      (json) => json.subscribers.push({ id: 'alice', tokens: '1' }),
      'subscribers[1].id',
      'duplicate subscriber alice',
    ],
    [
      'a duplicate service',
      (json) => json.services.push(service('svc')),
      'services[1].id',
      'duplicate service svc',
    ],
    [
      'a duplicate project',
      (json) => json.projects!.push({ id: 'proj' }),
      'projects[1].id',
      'duplicate project proj',
    ],
    [
      'a duplicate provider',
      (json) => json.services[0]!.providers.push({ id: 'prov', points: '2' }),
      'services[0].providers[1].id',
      'duplicate provider prov',
    ],
    [
      'a duplicate member',
      (json) => json.projects![0]!.members!.push({ account: 'dev', weight: '2' }),
      'projects[0].members[1].account',
      'duplicate member dev',
    ],
    [
      'a duplicate dependency',
      (json) => json.projects![0]!.dependencies!.push({ project: 'dep', weight: '2' }),
      'projects[0].dependencies[1].project',
      'duplicate dependency dep',
    ],
    [
      'a service of an unknown type',
      (json) => (json.services[0]!.type = 'vm'),
      'services[0].type',
      'unknown service type vm',
    ],
    [
      'an empty id',
      (json) => (json.subscribers[0]!.id = ''),
      'subscribers[0].id',
      'must be a non-empty string',
    ],
    [
      'a number for an id',
      (json) => (json.services[0]!.operator = 7 as unknown as string),
      'services[0].operator',
      'must be a non-empty string',
    ],
    ['a missing period', (json) => delete json.period, 'period', 'is required'],
    ['a missing list', (json) => delete (json as Partial<PeriodJson>).usage, 'usage', 'is required'],
    [
      'an object for a list',
      (json) => (json.usage = {} as unknown as PeriodJson['usage']),
      'usage',
      'must be an array',
    ],
    [
      'a list for an object',
      (json) => (json.meters = [] as unknown as PeriodJson['meters']),
      'meters',
      'must be an object',
    ],
    [
      'a null row',
      (json) => (json.usage[0] = null as unknown as PeriodJson['usage'][0]),
      'usage[0]',
      'must be an object',
    ],
    ['an unknown top-level field', (json) => (json['extra'] = 1), 'extra', 'unknown field'],
    [
      'a misspelt policy knob',
      (json) => (json.policy = { capWeightPerServce: 5 }),
      'policy.capWeightPerServce',
      'unknown field',
    ],
    [
      'an unknown field with an odd name',
      (json) => ((json.usage[0] as Record<string, unknown>)['unit name'] = 'x'),
      'usage[0]["unit name"]',
      'unknown field',
    ],
    [
      'a non-boolean binding',
      (json) => (json.agreements![0]!.binding = 'yes' as unknown as boolean),
      'agreements[0].binding',
      'must be true or false',
    ],
    [
      'a depth beyond the limit',
      (json) => (json.policy = { maxDependencyDepth: 1001 }),
      'policy.maxDependencyDepth',
      'must be at most 1000',
    ],
    [
      'a negative cap',
      (json) => (json.policy = { capWeightPerService: -3 }),
      'policy.capWeightPerService',
      'must not be negative',
    ],
    [
      'a fractional minimum',
      (json) => (json.policy = { minSubscribersPerService: 0.5 }),
      'policy.minSubscribersPerService',
      'must be an integer',
    ],
  ])('refuses %s', (_case, edit, path, reason) => {
    expect(problemOf(edited(edit))).toEqual({ path, reason });
  });

  it('refuses a root that is not an object', () => {
    expect(problemOf([])).toEqual({ path: '$', reason: 'must be an object' });
    expect(problemOf(null)).toEqual({ path: '$', reason: 'must be an object' });
  });

  it('names the row of a bad usage row deep in a long list', () => {
    const usage = Array.from({ length: 5000 }, () => ({
      subscriber: 'alice',
      service: 'svc',
      meter: 'seconds',
      quantity: 1,
    }));
    usage[4321] = { ...usage[0]!, service: 'nope' };
    expect(problemOf(basePeriod({ usage }))).toEqual({
      path: 'usage[4321].service',
      reason: 'unknown service nope',
    });
  });

  it('accepts usage of subscribers it does not list (they move no money)', () => {
    const result = parseAllocationInput(
      basePeriod({ usage: [{ subscriber: 'stranger', service: 'svc', meter: 'seconds', quantity: '5' }] }),
    );
    expect(result.ok).toBe(true);
  });

  it('accepts null for optional overrides and knobs', () => {
    const result = parseAllocationInput(
      basePeriod({
        policy: { capWeightPerService: null, minSubscribersPerService: null, maxDependencyDepth: null },
        services: [service('svc', { providerBps: null, developerBps: null })],
      }),
    );
    if (!result.ok) throw new Error(result.error.reason);
    expect(result.input.policy.maxDependencyDepth).toBe(3);
    expect(result.input.services[0]?.providerBps).toBeNull();
  });
});

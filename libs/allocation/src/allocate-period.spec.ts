import { loadAllocationVectors } from '../test/allocation-vectors.js';
import { allocatePeriod } from './allocate-period.js';
import { serializeAllocation, toAllocationJson } from './allocation-output.js';
import { parseAllocationInput } from './parse-allocation-input.js';
import { allocationOf, basePeriod, type PeriodJson, service } from '../test/period-fixture.js';

describe('allocatePeriod on the shared vectors', () => {
  it.each(loadAllocationVectors().map((vector) => [vector.name, vector] as const))('%s', (_name, vector) => {
    const parsed = parseAllocationInput(vector.input);
    if (!parsed.ok) throw new Error(`${parsed.error.path}: ${parsed.error.reason}`);
    const allocation = allocatePeriod(parsed.input);
    expect(JSON.parse(serializeAllocation(allocation))).toEqual(vector.expected);
    expect(toAllocationJson(allocation)).toEqual(vector.expected);
  });
});

const amounts = (input: PeriodJson) =>
  Object.fromEntries(allocationOf(input).allocations.map((row) => [row.account, row.amount]));

describe('allocatePeriod, step by step', () => {
  it('takes the general fund cut first and ignores free-tier and unlisted subscribers', () => {
    const result = allocationOf(
      basePeriod({
        policy: { generalFundBps: 2500 },
        subscribers: [
          { id: 'paying', tokens: '1000' },
          { id: 'free', tokens: '0' },
        ],
        usage: [
          { subscriber: 'paying', service: 'svc', meter: 'seconds', quantity: '1' },
          { subscriber: 'free', service: 'svc', meter: 'seconds', quantity: '1000' },
          { subscriber: 'ghost', service: 'svc', meter: 'seconds', quantity: '1000' },
        ],
      }),
    );
    expect(result.total).toBe(1000n);
    expect(Object.fromEntries(result.allocations.map((row) => [row.account, row.amount]))).toEqual({
      'fund:general': 250n,
      'operator:op': 750n,
    });
  });

  it('gives the whole fee to the fund when the subscriber used nothing with weight', () => {
    expect(
      amounts(
        basePeriod({
          meters: { seconds: 1, requests: 0 },
          usage: [{ subscriber: 'alice', service: 'svc', meter: 'requests', quantity: '500' }],
        }),
      ),
    ).toEqual({ 'fund:general': 1000n });
  });

  it('splits each fee by that subscriber’s own usage only', () => {
    expect(
      amounts(
        basePeriod({
          subscribers: [
            { id: 'alice', tokens: '900' },
            { id: 'bob', tokens: '100' },
          ],
          services: [service('a', { operator: 'op-a' }), service('b', { operator: 'op-b' })],
          usage: [
            { subscriber: 'alice', service: 'a', meter: 'seconds', quantity: '1' },
            { subscriber: 'alice', service: 'b', meter: 'seconds', quantity: '2' },
            { subscriber: 'bob', service: 'b', meter: 'seconds', quantity: '1000000' },
          ],
        }),
      ),
    ).toEqual({ 'operator:op-a': 300n, 'operator:op-b': 700n });
  });

  it('caps one subscriber’s weight for one service', () => {
    const input = basePeriod({
      services: [service('a', { operator: 'op-a' }), service('b', { operator: 'op-b' })],
      usage: [
        { subscriber: 'alice', service: 'a', meter: 'seconds', quantity: '900' },
        { subscriber: 'alice', service: 'b', meter: 'seconds', quantity: '100' },
      ],
    });
    expect(amounts(input)).toEqual({ 'operator:op-a': 900n, 'operator:op-b': 100n });
    expect(amounts({ ...input, policy: { capWeightPerService: 100 } })).toEqual({
      'operator:op-a': 500n,
      'operator:op-b': 500n,
    });
    expect(amounts({ ...input, policy: { capWeightPerService: 0 } })).toEqual({ 'fund:general': 1000n });
  });

  it('drops services with too few distinct paying subscribers, counted after the cap', () => {
    const input = basePeriod({
      subscribers: [
        { id: 'alice', tokens: '1000' },
        { id: 'bob', tokens: '1000' },
        { id: 'carol', tokens: '0' },
      ],
      services: [service('popular', { operator: 'op-p' }), service('niche', { operator: 'op-n' })],
      usage: [
        { subscriber: 'alice', service: 'popular', meter: 'seconds', quantity: '1' },
        { subscriber: 'alice', service: 'niche', meter: 'seconds', quantity: '1' },
        { subscriber: 'bob', service: 'popular', meter: 'seconds', quantity: '1' },
        { subscriber: 'carol', service: 'niche', meter: 'seconds', quantity: '1' },
      ],
    });
    expect(amounts({ ...input, policy: { minSubscribersPerService: 2 } })).toEqual({
      'operator:op-p': 2000n,
    });
    expect(amounts({ ...input, policy: { minSubscribersPerService: 3 } })).toEqual({ 'fund:general': 2000n });
    expect(amounts({ ...input, policy: { minSubscribersPerService: 1 } })).toEqual({
      'operator:op-n': 500n,
      'operator:op-p': 1500n,
    });
  });

  it('splits the provider part by resource points, using the service override of providerBps', () => {
    expect(
      amounts(
        basePeriod({
          services: [
            service('svc', {
              providerBps: 5000,
              providers: [
                { id: 'big', points: '3' },
                { id: 'small', points: '1' },
              ],
            }),
          ],
        }),
      ),
    ).toEqual({ 'operator:op': 500n, 'provider:big': 375n, 'provider:small': 125n });
  });

  it('keeps the provider part in the operator gross when no provider has points', () => {
    const input = basePeriod({
      services: [service('svc', { project: 'proj', providers: [{ id: 'idle', points: '0' }] })],
      projects: [{ id: 'proj', members: [{ account: 'dev', weight: '1' }] }],
    });
    // developerBps 1000 of the whole 1000, not of the 700 left after a provider part.
    expect(amounts(input)).toEqual({ 'member:dev': 100n, 'operator:op': 900n });
  });

  it('takes the highest developer bps of type, override and the agreements that apply', () => {
    const withAgreements = (agreements: PeriodJson['agreements'], developerBps?: number) =>
      amounts(
        basePeriod({
          services: [service('svc', { project: 'proj', developerBps: developerBps ?? null })],
          projects: [{ id: 'proj', members: [{ account: 'dev', weight: '1' }] }],
          agreements,
        }),
      )['member:dev'];
    expect(withAgreements([])).toBe(100n);
    expect(withAgreements([], 500)).toBe(100n);
    expect(withAgreements([], 2500)).toBe(250n);
    expect(withAgreements([{ project: 'proj', operator: 'op', developerBps: 3000, binding: false }])).toBe(
      300n,
    );
    expect(withAgreements([{ project: 'proj', operator: 'other', developerBps: 3000, binding: false }])).toBe(
      100n,
    );
    expect(withAgreements([{ project: 'proj', operator: 'other', developerBps: 4000, binding: true }])).toBe(
      400n,
    );
    expect(withAgreements([{ project: 'other', operator: 'op', developerBps: 4000, binding: true }])).toBe(
      100n,
    );
  });

  it('keeps the developer part with the operator of a service without a project', () => {
    expect(
      amounts(basePeriod({ agreements: [{ project: 'x', operator: 'op', developerBps: 9000 }] })),
    ).toEqual({
      'operator:op': 1000n,
    });
  });

  it('passes value level by level down to the depth limit and holds it in escrow without members', () => {
    const input = basePeriod({
      subscribers: [{ id: 'alice', tokens: '10000' }],
      serviceTypes: { app: { providerBps: 0, developerBps: 10000 } },
      services: [service('svc', { project: 'a' })],
      projects: [
        {
          id: 'a',
          dependenciesBps: 5000,
          dependencies: [{ project: 'b', weight: '1' }],
          members: [{ account: 'ma', weight: '1' }],
        },
        {
          id: 'b',
          dependenciesBps: 5000,
          dependencies: [{ project: 'c', weight: '1' }],
          members: [{ account: 'mb', weight: '1' }],
        },
        { id: 'c', dependenciesBps: 5000, dependencies: [{ project: 'unlisted', weight: '1' }], members: [] },
      ],
    });
    expect(amounts({ ...input, policy: { maxDependencyDepth: 0 } })).toEqual({ 'member:ma': 10000n });
    expect(amounts({ ...input, policy: { maxDependencyDepth: 2 } })).toEqual({
      'escrow:c': 2500n,
      'member:ma': 5000n,
      'member:mb': 2500n,
    });
    expect(amounts({ ...input, policy: { maxDependencyDepth: 3 } })).toEqual({
      'escrow:c': 1250n,
      'escrow:unlisted': 1250n,
      'member:ma': 5000n,
      'member:mb': 2500n,
    });
  });

  it('ends on a dependency cycle that passes everything on, at the depth limit', () => {
    const input = basePeriod({
      serviceTypes: { app: { providerBps: 0, developerBps: 10000 } },
      services: [service('svc', { project: 'a' })],
      projects: [
        {
          id: 'a',
          dependenciesBps: 10000,
          dependencies: [{ project: 'b', weight: '1' }],
          members: [{ account: 'ma', weight: '1' }],
        },
        {
          id: 'b',
          dependenciesBps: 10000,
          dependencies: [{ project: 'a', weight: '1' }],
          members: [{ account: 'mb', weight: '1' }],
        },
      ],
      policy: { maxDependencyDepth: 1000 },
    });
    expect(amounts(input)).toEqual({ 'member:ma': 1000n });
  });

  it('sums what a project keeps over all levels before paying its members', () => {
    // d keeps 3 at level 1 (via a) and 3 at level 2 (via b): paid per level, x would get 2 + 2 and y 1 + 1.
    const input = basePeriod({
      subscribers: [{ id: 'alice', tokens: '6' }],
      serviceTypes: { app: { providerBps: 0, developerBps: 10000 } },
      services: [service('svc', { project: 'a' })],
      projects: [
        {
          id: 'a',
          dependenciesBps: 10000,
          dependencies: [
            { project: 'b', weight: '1' },
            { project: 'd', weight: '1' },
          ],
        },
        { id: 'b', dependenciesBps: 10000, dependencies: [{ project: 'd', weight: '1' }] },
        {
          id: 'd',
          members: [
            { account: 'x', weight: '1' },
            { account: 'y', weight: '1' },
          ],
        },
      ],
    });
    expect(amounts(input)).toEqual({ 'member:x': 3n, 'member:y': 3n });
  });

  it('handles amounts and weights far beyond 2^53 exactly', () => {
    const huge = '123456789012345678901234567890';
    const result = allocationOf(
      basePeriod({
        subscribers: [{ id: 'alice', tokens: huge }],
        services: [service('a', { operator: 'op-a' }), service('b', { operator: 'op-b' })],
        usage: [
          { subscriber: 'alice', service: 'a', meter: 'seconds', quantity: '99999999999999999999' },
          { subscriber: 'alice', service: 'b', meter: 'seconds', quantity: Number.MAX_SAFE_INTEGER },
          { subscriber: 'alice', service: 'b', meter: 'seconds', quantity: Number.MAX_SAFE_INTEGER },
        ],
      }),
    );
    // Remainders: a 18574767254259248459, b 81443247144250233522, so b gets the leftover unit.
    expect(result.total).toBe(BigInt(huge));
    expect(result.allocations).toEqual([
      { account: 'operator:op-a', amount: 123434553020066246340555423071n },
      { account: 'operator:op-b', amount: 22235992279432560679144819n },
    ]);
  });

  it('returns no rows and the root of the empty tree without paying subscribers', () => {
    const result = allocationOf(basePeriod({ subscribers: [], usage: [] }));
    expect(result.total).toBe(0n);
    expect(result.allocations).toEqual([]);
    expect(result.merkleRoot).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

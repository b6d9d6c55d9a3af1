import fc from 'fast-check';
import { loadAllocationVectors } from '../test/allocation-vectors.js';
import { periodArbitrary } from '../test/period-arbitrary.js';
import { basePeriod, service } from '../test/period-fixture.js';
import { allocatePeriod } from './allocate-period.js';
import { type AllocationInput } from './allocation-input.js';
import { parseAllocationInput } from './parse-allocation-input.js';
import { accountSources, tracePeriod } from './period-trace.js';
import { traceSubscriber } from './subscriber-trace.js';

function parse(json: unknown): AllocationInput {
  const parsed = parseAllocationInput(json);
  if (!parsed.ok) throw new Error(`invalid input: ${parsed.error.path}: ${parsed.error.reason}`);
  return parsed.input;
}

const sum = (amounts: readonly { readonly amount: bigint }[]) =>
  amounts.reduce((total, line) => total + line.amount, 0n);

/** Every account's sources sum to its row, and every subscriber's trace to its tokens. */
function expectTracesAddUp(input: AllocationInput): void {
  const allocation = allocatePeriod(input);
  const trace = tracePeriod(input);
  for (const row of allocation.allocations) {
    const lines = accountSources(trace, row.account);
    expect({ account: row.account, amount: sum(lines) }).toEqual({
      account: row.account,
      amount: row.amount,
    });
    for (const line of lines) expect(line.amount).toBeGreaterThan(0n);
  }
  for (const subscriber of input.subscribers) {
    const followed = traceSubscriber(input, subscriber.id);
    if (subscriber.tokens <= 0n) {
      expect(followed).toBeNull();
      continue;
    }
    const parts = followed!.services.map(
      (part) =>
        sum(part.credits) +
        (part.developer ? sum(part.developer.flow.payouts.flatMap((payout) => payout.recipients)) : 0n),
    );
    expect(followed!.fund + parts.reduce((a, b) => a + b, 0n)).toBe(subscriber.tokens);
    followed!.services.forEach((part, index) => expect(parts[index]).toBe(part.amount));
  }
}

describe('tracePeriod and traceSubscriber', () => {
  it.each(loadAllocationVectors().map((vector) => [vector.name, vector] as const))(
    'add up exactly on the shared vector %s',
    (_name, vector) => expectTracesAddUp(parse(vector.input)),
  );

  it('add up exactly on arbitrary periods', () => {
    fc.assert(
      fc.property(periodArbitrary, (period) => expectTracesAddUp(parse(period))),
      { numRuns: 300 },
    );
  });

  it('names each part of a member’s amount by service, dependency level and the project that paid it', () => {
    const input = parse(
      basePeriod({
        policy: { generalFundBps: 0, maxDependencyDepth: 2 },
        serviceTypes: { app: { providerBps: 0, developerBps: 5000 } },
        subscribers: [{ id: 'alice', tokens: '1000' }],
        usage: [
          { subscriber: 'alice', service: 'wiki', meter: 'seconds', quantity: '3' },
          { subscriber: 'alice', service: 'chat', meter: 'seconds', quantity: '1' },
        ],
        services: [service('wiki', { project: 'wikiapp' }), service('chat', { project: 'chatapp' })],
        projects: [
          {
            id: 'wikiapp',
            dependenciesBps: 5000,
            dependencies: [{ project: 'lib', weight: 1 }],
            members: [],
          },
          {
            id: 'chatapp',
            dependenciesBps: 5000,
            dependencies: [{ project: 'lib', weight: 1 }],
            members: [],
          },
          { id: 'lib', members: [{ account: 'carol', weight: 1 }] },
        ],
      }),
    );
    // wiki 750 → D 375 → lib 187; chat 250 → D 125 → lib 62; carol keeps lib's 249 from both, at level 1.
    expect(accountSources(tracePeriod(input), 'member:carol')).toEqual([
      {
        role: 'dependency',
        service: 'chat',
        sourceProject: 'chatapp',
        project: 'lib',
        level: 1,
        amount: 62n,
      },
      {
        role: 'dependency',
        service: 'wiki',
        sourceProject: 'wikiapp',
        project: 'lib',
        level: 1,
        amount: 187n,
      },
    ]);
    expect(accountSources(tracePeriod(input), 'escrow:wikiapp')).toEqual([
      {
        role: 'developer',
        service: 'wiki',
        sourceProject: 'wikiapp',
        project: 'wikiapp',
        level: 0,
        amount: 188n,
      },
    ]);
    const alice = traceSubscriber(input, 'alice')!;
    expect(alice.services.map((part) => [part.service, part.weight, part.amount])).toEqual([
      ['chat', 1n, 250n],
      ['wiki', 3n, 750n],
    ]);
    expect(alice.services[1]!.developer!.flow.levels).toEqual([
      {
        level: 0,
        project: 'wikiapp',
        inflow: 375n,
        passed: [{ dependency: 'lib', amount: 187n }],
        kept: 188n,
      },
      { level: 1, project: 'lib', inflow: 187n, passed: [], kept: 187n },
    ]);
  });

  it('splits the fund’s row into its cut and the tokens of subscribers who used nothing', () => {
    const input = parse(
      basePeriod({
        policy: { generalFundBps: 1000 },
        subscribers: [
          { id: 'alice', tokens: '1000' },
          { id: 'idle', tokens: '500' },
        ],
      }),
    );
    expect(accountSources(tracePeriod(input), 'fund:general')).toEqual([
      { role: 'fund_share', amount: 100n },
      { role: 'unused_tokens', amount: 500n },
    ]);
  });
});

import fc from 'fast-check';
import { type PeriodJson } from '../test/period-fixture.js';
import { periodArbitrary, SERVICES } from '../test/period-arbitrary.js';
import { allocatePeriod } from './allocate-period.js';
import { allocateSubscriberStream, type StreamOptions, type SubscriberUsage } from './allocate-stream.js';
import { serializeAllocation } from './allocation-output.js';
import { compareKeys } from './account-key.js';
import { parseAllocationInput } from './parse-allocation-input.js';
import { ServiceSubscriberCounts, type ServiceWeights, UsageWeigher } from './subscriber-weights.js';

function parse(json: unknown) {
  const parsed = parseAllocationInput(json);
  if (!parsed.ok)
    throw new Error(`generated an invalid period: ${parsed.error.path}: ${parsed.error.reason}`);
  return parsed.input;
}

function allocate(json: unknown) {
  return allocatePeriod(parse(json));
}

/** The period as a close streams it: each subscriber once, in key order, with its rows (strangers' rows never come). */
async function allocateStreamed(json: unknown, options: StreamOptions = {}) {
  const input = parse(json);
  const subscribers = [...input.subscribers].sort((a, b) => compareKeys(a.id, b.id));
  let passes = 0;
  const allocation = await allocateSubscriberStream(
    input,
    async function* (): AsyncIterable<SubscriberUsage> {
      passes += 1;
      for (const subscriber of subscribers)
        yield {
          tokens: subscriber.tokens,
          usage: input.usage.filter((row) => row.subscriber === subscriber.id),
        };
    },
    options,
  );
  return { allocation, passes };
}

/** The services the policy's minimum drops, counted the engine's way (paying subscribers with weight). */
function thinServicesOf(json: unknown): Set<string> {
  const input = parse(json);
  const minimum = input.policy.minSubscribersPerService;
  if (minimum === null) return new Set();
  const weigher = new UsageWeigher(input);
  const counts = new ServiceSubscriberCounts();
  for (const subscriber of input.subscribers) {
    if (subscriber.tokens <= 0n) continue;
    const weights: ServiceWeights = new Map();
    for (const row of input.usage) if (row.subscriber === subscriber.id) weigher.addRow(weights, row);
    weigher.applyCap(weights);
    counts.count(weights);
  }
  return counts.thinServices(minimum);
}

/** Fisher–Yates driven by a seed, so a failing case replays exactly. */
function shuffle<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed >>> 0 || 1;
  for (let index = result.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const other = state % (index + 1);
    [result[index], result[other]] = [result[other] as T, result[index] as T];
  }
  return result;
}

function shuffleRecord<T>(record: Record<string, T>, seed: number): Record<string, T> {
  return Object.fromEntries(shuffle(Object.entries(record), seed));
}

function shufflePeriod(period: PeriodJson, seed: number): PeriodJson {
  return {
    ...period,
    meters: shuffleRecord(period.meters, seed + 1),
    serviceTypes: shuffleRecord(period.serviceTypes, seed + 2),
    subscribers: shuffle(period.subscribers, seed + 3),
    usage: shuffle(period.usage, seed + 4),
    services: shuffle(
      period.services.map((service) => ({ ...service, providers: shuffle(service.providers, seed + 5) })),
      seed + 6,
    ),
    projects: shuffle(
      (period.projects ?? []).map((project) => ({
        ...project,
        dependencies: shuffle(project.dependencies ?? [], seed + 7),
        members: shuffle(project.members ?? [], seed + 8),
      })),
      seed + 9,
    ),
    agreements: shuffle(period.agreements ?? [], seed + 10),
  };
}

describe('allocatePeriod properties', () => {
  it('conserves the total exactly, in positive rows sorted by key', () => {
    fc.assert(
      fc.property(periodArbitrary, (period) => {
        const allocation = allocate(period);
        const paid = period.subscribers
          .map((subscriber) => BigInt(subscriber.tokens))
          .filter((tokens) => tokens > 0n);
        expect(allocation.total).toBe(paid.reduce((sum, tokens) => sum + tokens, 0n));
        expect(allocation.allocations.reduce((sum, row) => sum + row.amount, 0n)).toBe(allocation.total);
        for (const row of allocation.allocations) expect(row.amount > 0n).toBe(true);
        allocation.allocations.slice(1).forEach((row, index) => {
          expect(
            compareKeys((allocation.allocations[index] as { account: string }).account, row.account),
          ).toBeLessThan(0);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('does not depend on the order of any list or object in the input', () => {
    fc.assert(
      fc.property(periodArbitrary, fc.nat(), (period, seed) => {
        expect(serializeAllocation(allocate(shufflePeriod(period, seed)))).toBe(
          serializeAllocation(allocate(period)),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('streamed one subscriber at a time, equals the whole-input allocation (one pass, two with a minimum)', async () => {
    await fc.assert(
      fc.asyncProperty(periodArbitrary, async (period) => {
        const { allocation, passes } = await allocateStreamed(period);
        expect(serializeAllocation(allocation)).toBe(serializeAllocation(allocate(period)));
        expect(passes).toBe(parse(period).policy.minSubscribersPerService === null ? 1 : 2);
      }),
      { numRuns: 300 },
    );
  });

  it('streamed with the thin services expected, takes one pass when right and still equals the engine when wrong', async () => {
    await fc.assert(
      fc.asyncProperty(periodArbitrary, fc.subarray([...SERVICES, 'gone']), async (period, guess) => {
        const thin = thinServicesOf(period);
        for (const expected of [thin, new Set(guess)]) {
          const { allocation, passes } = await allocateStreamed(period, { expectedThinServices: expected });
          expect(serializeAllocation(allocation)).toBe(serializeAllocation(allocate(period)));
          const right = [...expected].every((service) => thin.has(service)) && expected.size === thin.size;
          expect(passes).toBe(parse(period).policy.minSubscribersPerService === null || right ? 1 : 2);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives the same output for the same input, byte for byte', () => {
    fc.assert(
      fc.property(periodArbitrary, (period) => {
        const first = serializeAllocation(allocate(period));
        const second = serializeAllocation(allocate(JSON.parse(JSON.stringify(period))));
        expect(second).toBe(first);
      }),
      { numRuns: 100 },
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { loadAllocationVectors } from '../test/allocation-vectors.js';
import { allocatePeriod } from './allocate-period.js';
import { parseAllocationInput } from './parse-allocation-input.js';
import { subscriberSplit } from './subscriber-split.js';

describe('one subscriber’s split', () => {
  it.each(loadAllocationVectors().map((vector) => [vector.name, vector] as const))(
    'accounts for every token of every subscriber in %s',
    (_name, vector) => {
      const parsed = parseAllocationInput(vector.input);
      if (!parsed.ok) throw new Error(parsed.error.reason);
      const { input } = parsed;
      let fund = 0n;
      for (const subscriber of input.subscribers.filter((candidate) => candidate.tokens > 0n)) {
        const split = subscriberSplit(input, subscriber.id);
        expect(split).not.toBeNull();
        const spent = (split?.services ?? []).reduce((sum, service) => sum + service.amount, 0n);
        expect((split?.fund ?? 0n) + spent).toBe(subscriber.tokens);
        fund += split?.fund ?? 0n;
      }
      // The fund's cuts are the fund's whole allocation (it gets nothing else in step 1–4 of these vectors
      // unless a dropped service sends money there, which the split already counts).
      const allocated =
        allocatePeriod(input).allocations.find((row) => row.account === 'fund:general')?.amount ?? 0n;
      expect(fund).toBeLessThanOrEqual(allocated);
    },
  );

  it('is null for a subscriber without tokens', () => {
    const [vector] = loadAllocationVectors();
    const parsed = parseAllocationInput(vector?.input);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(subscriberSplit(parsed.input, 'nobody')).toBeNull();
  });
});

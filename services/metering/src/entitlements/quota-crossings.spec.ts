import { describe, expect, it } from '@jest/globals';
import { thresholdsCrossed, usageKey, watchedOnce } from './quota-crossings.js';

const ALICE = '00000000-0000-7000-8000-00000000000a';
const BOB = '00000000-0000-7000-8000-00000000000b';

describe('watchedOnce', () => {
  it('keeps each (subscriber, period) once, in the order first seen', () => {
    expect(
      watchedOnce([
        { subscriberId: BOB, period: '2026-12' },
        { subscriberId: ALICE, period: '2026-12' },
        { subscriberId: BOB, period: '2026-12' },
        { subscriberId: BOB, period: '2026-11' },
      ]),
    ).toEqual([
      { subscriberId: BOB, period: '2026-12' },
      { subscriberId: ALICE, period: '2026-12' },
      { subscriberId: BOB, period: '2026-11' },
    ]);
  });
});

describe('thresholdsCrossed', () => {
  const limits = new Map([
    ['active_seconds', 100n],
    ['requests', 10n],
  ]);
  const limitsOf = (plan: string) => (plan === 'free' ? limits : new Map<string, bigint>());

  it("lists every threshold the usage reached on the subscriber's plan; paid plans have none", () => {
    const alice = { subscriberId: ALICE, period: '2026-12' };
    const bob = { subscriberId: BOB, period: '2026-12' };
    const used = new Map([
      [usageKey(alice), new Map([['active_seconds', 100n]])],
      [usageKey(bob), new Map([['requests', 9n]])],
    ]);
    const crossed = thresholdsCrossed([alice, bob], () => 'free', limitsOf, used);
    expect(crossed.map((c) => [c.subscriberId, c.meter, c.thresholdPercent, c.used, c.limit])).toEqual([
      [ALICE, 'active_seconds', 80, 100n, 100n],
      [ALICE, 'active_seconds', 100, 100n, 100n],
      [BOB, 'requests', 80, 9n, 10n],
    ]);
    expect(thresholdsCrossed([alice, bob], () => 'premium', limitsOf, used)).toEqual([]);
  });

  it('counts a meter without usage as zero', () => {
    const alice = { subscriberId: ALICE, period: '2026-12' };
    expect(thresholdsCrossed([alice], () => 'free', limitsOf, new Map())).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { foldUsage } from './usage-fold.js';

const ALICE = '00000000-0000-7000-8000-00000000000a';
const BOB = '00000000-0000-7000-8000-00000000000b';
const WIKI = '00000000-0000-7000-8000-0000000000f1';
const CHAT = '00000000-0000-7000-8000-0000000000f2';
const recordedAt = '2026-12-01T00:00:00.000Z';

type Subscribers = Parameters<typeof foldUsage>[0][number]['subscribers'];
let recordings = 0;
const recording = (...subscribers: Subscribers) => ({
  recordingId: `00000000-0000-7000-8000-${String(++recordings).padStart(12, '0')}`,
  subscribers,
  recordedAt,
});

describe('foldUsage', () => {
  it('sums the deltas per (period, subscriber, service, meter) and counts every event once per period it names', () => {
    const folded = foldUsage([
      recording({
        subscriberId: BOB,
        period: '2026-12',
        usage: [{ serviceId: WIKI, meter: 'active_seconds', quantity: '60', events: 1 }],
      }),
      recording(
        {
          subscriberId: ALICE,
          period: '2026-12',
          usage: [
            { serviceId: WIKI, meter: 'active_seconds', quantity: '30', events: 2 },
            { serviceId: CHAT, meter: 'requests', quantity: '5', events: 5 },
          ],
        },
        { subscriberId: ALICE, period: '2026-11', usage: [] },
        {
          subscriberId: BOB,
          period: '2026-12',
          usage: [{ serviceId: WIKI, meter: 'active_seconds', quantity: '-20', events: 1 }],
        },
      ),
    ]);
    expect(Object.fromEntries(folded.announcementsPerPeriod)).toEqual({ '2026-11': 1, '2026-12': 2 });
    expect(folded.deltas).toEqual([
      { period: '2026-12', subscriberId: ALICE, serviceId: WIKI, meter: 'active_seconds', quantity: 30n },
      { period: '2026-12', subscriberId: ALICE, serviceId: CHAT, meter: 'requests', quantity: 5n },
      { period: '2026-12', subscriberId: BOB, serviceId: WIKI, meter: 'active_seconds', quantity: 40n },
    ]);
  });

  it('keeps integers beyond 2^53 exact', () => {
    const big = '9007199254740993';
    const usage = [{ serviceId: WIKI, meter: 'bytes', quantity: big, events: 1 }];
    const folded = foldUsage([
      recording({ subscriberId: ALICE, period: '2026-12', usage }),
      recording({ subscriberId: ALICE, period: '2026-12', usage }),
    ]);
    expect(folded.deltas.map((delta) => delta.quantity)).toEqual([18014398509481986n]);
  });
});

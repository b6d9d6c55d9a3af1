import { describe, expect, it } from '@jest/globals';
import { announcedPeriods } from '@onecommons/contracts';
import { type UsageDelta, usageRecordedOf } from './usage-recorded-events.js';

const ALICE = '00000000-0000-7000-8000-00000000000a';
const BOB = '00000000-0000-7000-8000-00000000000b';
const WIKI = '00000000-0000-7000-8000-0000000000f1';
const CHAT = '00000000-0000-7000-8000-0000000000f2';

const delta = (
  subscriberId: string,
  period: string,
  serviceId: string,
  meter: string,
  quantity = '1',
): UsageDelta => ({
  subscriberId,
  period,
  serviceId,
  meter,
  quantity,
  events: 1,
});

describe('usageRecordedOf', () => {
  it('announces one recording in one event, grouped per subscriber and period, in key order', () => {
    const [event, ...more] = usageRecordedOf([
      delta(BOB, '2026-12', WIKI, 'requests'),
      delta(ALICE, '2026-12', WIKI, 'requests', '3'),
      delta(ALICE, '2026-11', CHAT, 'requests'),
      delta(ALICE, '2026-12', CHAT, 'active_seconds', '60'),
    ]);
    expect(more).toEqual([]);
    expect(event?.subject).toBe(event?.data.recordingId);
    expect(event?.data.subscribers).toEqual([
      {
        subscriberId: ALICE,
        period: '2026-11',
        usage: [{ serviceId: CHAT, meter: 'requests', quantity: '1', events: 1 }],
      },
      {
        subscriberId: ALICE,
        period: '2026-12',
        usage: [
          { serviceId: WIKI, meter: 'requests', quantity: '3', events: 1 },
          { serviceId: CHAT, meter: 'active_seconds', quantity: '60', events: 1 },
        ].sort((left, right) => (left.serviceId < right.serviceId ? -1 : 1)),
      },
      {
        subscriberId: BOB,
        period: '2026-12',
        usage: [{ serviceId: WIKI, meter: 'requests', quantity: '1', events: 1 }],
      },
    ]);
  });

  it('splits a recording too large for one message, losing and repeating nothing', () => {
    const deltas = Array.from({ length: 4_500 }, (_, index) =>
      delta(index % 2 === 0 ? ALICE : BOB, index % 3 === 0 ? '2026-11' : '2026-12', WIKI, `meter_${index}`),
    );
    const events = usageRecordedOf(deltas);
    expect(events.map((event) => event.data.subscribers.flatMap((s) => s.usage).length)).toEqual([
      2_000, 2_000, 500,
    ]);
    const announced = events.flatMap((event) =>
      event.data.subscribers.flatMap((s) =>
        s.usage.map((line) => `${s.subscriberId} ${s.period} ${line.meter}`),
      ),
    );
    expect(new Set(announced).size).toBe(4_500);
    expect(events.every((event) => Buffer.byteLength(JSON.stringify(event)) < 900_000)).toBe(true);
    expect(new Set(events.map((event) => event.data.recordingId)).size).toBe(3);
    expect(events.map((event) => announcedPeriods(event.data).length).every((n) => n >= 1)).toBe(true);
  });

  it('announces nothing for no deltas', () => {
    expect(usageRecordedOf([])).toEqual([]);
  });
});

import { describe, expect, it } from '@jest/globals';
import { eventCatalogue } from '../catalogue.js';
import { createEvent } from '../envelope/event-catalogue.js';
import { announcedPeriods, UsageRecordedV1, UsageRecordedV2 } from './usage-recorded.js';

const ALICE = '00000000-0000-7000-8000-00000000000a';
const BOB = '00000000-0000-7000-8000-00000000000b';
const WIKI = '00000000-0000-7000-8000-0000000000f1';
const line = { serviceId: WIKI, meter: 'requests', quantity: '5', events: 5 };
const recordedAt = '2026-12-01T00:00:00.000Z';

describe('UsageRecorded', () => {
  it('of v1 is read as a v2 recording of its one subscriber, named by the v1 event', () => {
    const v1 = createEvent(
      UsageRecordedV1,
      { subscriberId: ALICE, period: '2026-11', usage: [line], recordedAt },
      { source: '/onecommons/metering' },
    );
    const decoded = eventCatalogue.decode(JSON.stringify(v1));
    expect(decoded).toEqual({
      ok: true,
      contract: UsageRecordedV2,
      receivedType: UsageRecordedV1.type,
      event: expect.objectContaining({
        id: v1.id,
        subject: ALICE,
        type: UsageRecordedV2.type,
        data: {
          recordingId: v1.id,
          subscribers: [{ subscriberId: ALICE, period: '2026-11', usage: [line] }],
          recordedAt,
        },
      }),
    });
  });

  it('of v1 with no usage still counts toward its period, as metering counted it', () => {
    const v1 = createEvent(
      UsageRecordedV1,
      { subscriberId: ALICE, period: '2026-11', usage: [], recordedAt },
      { source: '/onecommons/metering' },
    );
    const decoded = eventCatalogue.decode(JSON.stringify(v1));
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(announcedPeriods(decoded.event.data as Parameters<typeof announcedPeriods>[0])).toEqual([
      '2026-11',
    ]);
  });

  it('of v2 counts once toward each period it names, however many subscribers it carries there', () => {
    const v2 = createEvent(
      UsageRecordedV2,
      {
        recordingId: '00000000-0000-7000-8000-000000000001',
        subscribers: [
          { subscriberId: BOB, period: '2026-12', usage: [line] },
          { subscriberId: ALICE, period: '2026-11', usage: [line] },
          { subscriberId: ALICE, period: '2026-12', usage: [line] },
        ],
        recordedAt,
      },
      { source: '/onecommons/metering' },
    );
    expect(v2.subject).toBe('00000000-0000-7000-8000-000000000001');
    expect(announcedPeriods(v2.data)).toEqual(['2026-11', '2026-12']);
  });

  it('of v2 names at least one subscriber', () => {
    expect(
      UsageRecordedV2.schema.safeParse({
        recordingId: '00000000-0000-7000-8000-000000000001',
        subscribers: [],
        recordedAt,
      }).success,
    ).toBe(false);
  });
});

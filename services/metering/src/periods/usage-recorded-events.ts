import { type CloudEvent, createEvent, type DataOf, UsageRecordedV2, uuidV7 } from '@onecommons/contracts';

export type UsageRecorded = CloudEvent<DataOf<typeof UsageRecordedV2>>;

/** What one recording added to one aggregate. */
export interface UsageDelta {
  readonly period: string;
  readonly subscriberId: string;
  readonly serviceId: string;
  readonly meter: string;
  readonly quantity: string;
  /** Usage events counted (0 for a correction). */
  readonly events: number;
}

/**
 * Usage lines per announcement at most: about 100 bytes each, so one stays well under Kafka's 1 MB message
 * limit (an ingest request of 1,000 events makes at most 1,000 lines).
 */
const MAX_LINES_PER_ANNOUNCEMENT = 2_000;

/**
 * The UsageRecorded of one recording: its deltas grouped per (subscriber, period), in key order, in as few
 * announcements as the size bound allows (one for any ingest request).
 */
export function usageRecordedOf(deltas: readonly UsageDelta[], recordedAt = new Date()): UsageRecorded[] {
  const sorted = deltas
    .map((delta) => ({ key: keyOf(delta), delta }))
    .sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0))
    .map(({ delta }) => delta);
  const announcements: UsageRecorded[] = [];
  let subscribers: DataOf<typeof UsageRecordedV2>['subscribers'][number][] = [];
  let lines = 0;
  const announce = () => {
    if (subscribers.length === 0) return;
    announcements.push(
      createEvent(
        UsageRecordedV2,
        { recordingId: uuidV7(), subscribers, recordedAt: recordedAt.toISOString() },
        { source: '/onecommons/metering' },
      ),
    );
    subscribers = [];
    lines = 0;
  };
  for (const { period, subscriberId, serviceId, meter, quantity, events } of sorted) {
    if (lines >= MAX_LINES_PER_ANNOUNCEMENT) announce();
    let current = subscribers.at(-1);
    if (current?.subscriberId !== subscriberId || current.period !== period) {
      current = { subscriberId, period, usage: [] };
      subscribers.push(current);
    }
    current.usage.push({ serviceId, meter, quantity, events });
    lines += 1;
  }
  announce();
  return announcements;
}

/** (subscriber, period, service, meter) as one string that sorts like the tuple (no part holds a NUL). */
const keyOf = (delta: UsageDelta): string =>
  [delta.subscriberId, delta.period, delta.serviceId, delta.meter].join('\u0000');

import {
  dlqPosition,
  parseDlqPosition,
  type DeadLetterRecord,
  type DeadLetterTopicContents,
} from './dead-letter-entry.js';

export type RedriveSelection =
  | {
      readonly ok: true;
      readonly selected: readonly DeadLetterRecord[];
      /** Requested ids that name only letters a marker already covers: nothing left to do for them. */
      readonly alreadyRedriven: readonly string[];
    }
  | { readonly ok: false; readonly unknownIds: readonly string[] };

/** One message to put back on its original topic, and every DLQ letter that copy settles. */
export interface RedriveItem {
  readonly republish: DeadLetterRecord;
  readonly settles: readonly DeadLetterRecord[];
}

/**
 * Which pending letters a redrive takes: all of them, or those whose CloudEvent id or
 * `<partition>:<offset>` is among `ids`. An id that names nothing in the topic fails the whole selection,
 * so a typo never redrives half of what the operator asked for.
 */
export function selectForRedrive(
  contents: DeadLetterTopicContents,
  ids: readonly string[] = [],
): RedriveSelection {
  if (ids.length === 0) return { ok: true, selected: contents.pending, alreadyRedriven: [] };
  const requested = [...new Set(ids)];
  const matching = (records: readonly DeadLetterRecord[], id: string) =>
    records.filter((record) => matches(record, id));
  const unknownIds = requested.filter(
    (id) => matching(contents.pending, id).length === 0 && matching(contents.redriven, id).length === 0,
  );
  if (unknownIds.length > 0) return { ok: false, unknownIds };
  const selected = contents.pending.filter((record) => requested.some((id) => matches(record, id)));
  const alreadyRedriven = requested.filter((id) => matching(contents.pending, id).length === 0);
  return { ok: true, selected, alreadyRedriven };
}

/**
 * Groups selected letters by the original message they copy: when several consumer groups dead-lettered
 * the same message, it goes back once (every group reads the topic again) and all their letters are marked.
 */
export function planRedrive(selected: readonly DeadLetterRecord[]): RedriveItem[] {
  const items = new Map<string, { republish: DeadLetterRecord; settles: DeadLetterRecord[] }>();
  for (const record of selected) {
    const key = originKey(record);
    const item = items.get(key);
    if (item) item.settles.push(record);
    else items.set(key, { republish: record, settles: [record] });
  }
  return [...items.values()];
}

function matches(record: DeadLetterRecord, id: string): boolean {
  const { entry } = record;
  return entry.eventId === id || parseDlqPosition(id) === dlqPosition(entry.partition, entry.offset);
}

function originKey(record: DeadLetterRecord): string {
  const { originalTopic, originalPartition, originalOffset, partition, offset } = record.entry;
  return originalPartition !== null && originalOffset !== null
    ? `original ${originalTopic}:${originalPartition}:${originalOffset}`
    : `letter ${dlqPosition(partition, offset)}`;
}

import { type Kafka } from 'kafkajs';
import { measureConsumerLag } from '../consumer/consumer-lag.js';
import { partitionKey, type PartitionRange } from './topic-replayer.js';

/** Offsets per partition (`topic:partition`), each the first offset NOT included. */
export type LogPositions = ReadonlyMap<string, number>;

interface Queryable {
  query<Row extends object>(sql: string, values?: unknown[]): Promise<{ rows: Row[] }>;
}

/** Where the live consumer group will resume, per partition; absent where it never committed an offset. */
export async function committedPositions(
  kafka: Kafka,
  groupId: string,
  topics: readonly string[],
): Promise<LogPositions> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const lags = await measureConsumerLag(admin, groupId, topics);
    return new Map(
      lags.flatMap((lag) =>
        lag.committedOffset === null
          ? []
          : [[partitionKey(lag.topic, lag.partition), Number(lag.committedOffset)] as const],
      ),
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * One past the last message the live group recorded as applied, per partition, as the caller's snapshot of the
 * live schema sees it (the idempotent consumer records each applied message with its offset, in the
 * transaction of its effects).
 */
export async function appliedPositions(
  client: Queryable,
  schema: string,
  consumerGroup: string,
  topics: readonly string[],
): Promise<LogPositions> {
  const { rows } = await client.query<{ topic: string; partition: number; next: string }>(
    `SELECT topic, kafka_partition AS partition, (max(kafka_offset) + 1)::text AS next
       FROM ${escapeIdentifier(schema)}.processed_events
      WHERE consumer_group = $1 AND topic = ANY($2::text[])
      GROUP BY topic, kafka_partition`,
    [consumerGroup, [...topics]],
  );
  return new Map(rows.map((row) => [partitionKey(row.topic, row.partition), Number(row.next)]));
}

/**
 * Where a replay must stand to hold what a snapshot of the live schema holds. In the snapshot each partition's
 * applied messages are a prefix of it (a partition is applied in offset order, a chunk per transaction), which
 * reaches at least the group's committed offset read before the snapshot (offsets are committed after the
 * transaction) and whose last state-changing message is the last one recorded as applied: what lies between
 * changed nothing (no handler, a duplicate id, dead-lettered). So the later of the two is a position the live
 * state is exactly at. Never before where the replay already is (`reached`).
 */
export function positionsOfSnapshot(
  reached: readonly PartitionRange[],
  committed: LogPositions,
  applied: LogPositions,
): PartitionRange[] {
  return reached.map((range) => {
    const key = partitionKey(range.topic, range.partition);
    const end = Math.max(range.end, committed.get(key) ?? 0, applied.get(key) ?? 0);
    return { topic: range.topic, partition: range.partition, start: range.end, end };
  });
}

/** The ranges cut at the positions given (a partition without one is not replayed: the live group never read it). */
export function rangesUpTo(ranges: readonly PartitionRange[], positions: LogPositions): PartitionRange[] {
  return ranges.map((range) => {
    const position = positions.get(partitionKey(range.topic, range.partition)) ?? range.start;
    return { ...range, end: Math.min(range.end, Math.max(range.start, position)) };
  });
}

function escapeIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

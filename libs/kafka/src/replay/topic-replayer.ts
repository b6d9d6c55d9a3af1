import { type Kafka, type KafkaMessage } from 'kafkajs';
import { type BatchedEventProcessor } from '../consumer/batched-event-processor.js';
import { chunksOf } from '../consumer/chunk-plan.js';
import { type ProcessOutcome } from '../consumer/idempotent-event-processor.js';
import { deleteOneOffGroup } from '../consumer/one-off-group.js';
import { topicWatermarks } from '../topics/topic-watermarks.js';

/** Where a replay starts: every retained message, or the first message at or after a time. */
export type ReplayStart = { readonly kind: 'earliest' } | { readonly kind: 'time'; readonly at: Date };

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to apply. */
  readonly start: number;
  /** One past the last offset to apply (the high watermark when the replay began, unless told otherwise). */
  readonly end: number;
}

export interface ReplayProgress {
  readonly processed: number;
  readonly total: number;
  readonly outcomes: Readonly<Record<ProcessOutcome, number>>;
}

export interface TopicReplayOptions {
  readonly kafka: Kafka;
  /** What to apply; empty ranges are skipped. */
  readonly ranges: readonly PartitionRange[];
  /** The batched path of the live consumer: a transaction per chunk, per-message fallback for a failing one. */
  readonly processor: BatchedEventProcessor;
  /** A consumer group of its own: a replay never moves a live service's offsets. */
  readonly groupId: string;
  /** Messages per transaction. */
  readonly chunkSize: number;
  /** Partitions applied at once (each holds a database connection while it applies a chunk). */
  readonly concurrency: number;
  /** The most one fetch reads of a partition (default 8 MiB: a replay reads a backlog, not a trickle). */
  readonly fetchBytesPerPartition?: number;
  /**
   * `per-partition` (the default): each partition in offset order, partitions side by side. `event-time`: every
   * message of the ranges merged into one sequence by the events' `time`, each partition's own order kept, and
   * applied one at a time: for a service's own decisions, made one after another, whose order across
   * partitions Kafka does not keep (see `mergedByEventTime`).
   */
  readonly order?: 'per-partition' | 'event-time';
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export const partitionKey = (topic: string, partition: number) => `${topic}:${partition}`;

export const noOutcomes = (): Record<ProcessOutcome, number> => ({
  applied: 0,
  duplicate: 0,
  ignored: 0,
  dead_lettered: 0,
});

/**
 * The partitions to replay and their bounds. The end is the high watermark now, so a replay of a topic
 * that keeps growing still terminates, at a well-defined point.
 */
export async function replayRanges(
  kafka: Kafka,
  topics: readonly string[],
  from: ReplayStart,
): Promise<PartitionRange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ranges: PartitionRange[] = [];
    for (const topic of topics) {
      const offsets = await topicWatermarks(admin, topic);
      const starts =
        from.kind === 'time'
          ? new Map(
              (await admin.fetchTopicOffsetsByTimestamp(topic, from.at.getTime())).map((entry) => [
                entry.partition,
                Number(entry.offset),
              ]),
            )
          : undefined;
      for (const { partition, low, high } of offsets) {
        const start = Math.max(Number(low), starts?.get(partition) ?? Number(low));
        // A timestamp after the last message resolves to -1 (or the end): nothing to replay there.
        const end = Number(high);
        ranges.push({ topic, partition, start: start < 0 ? end : Math.min(start, end), end });
      }
    }
    return ranges;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Applies every message of the ranges through the live consumer's batched processor (so a replay rebuilds
 * exactly what consuming built), every partition at once up to `concurrency`, each in offset order and
 * chunk by chunk, then stops. Nothing is committed to Kafka: each message is read once, from its range.
 */
export async function replayTopics(options: TopicReplayOptions): Promise<ReplayProgress> {
  const inEventTimeOrder = options.order === 'event-time';
  /** In event-time order, the messages read, per partition, applied once every range is read. */
  const held = new Map<string, { topic: string; partition: number; messages: KafkaMessage[] }>();
  const remaining = new Map(
    options.ranges
      .filter((range) => range.end > range.start)
      .map((range) => [partitionKey(range.topic, range.partition), range]),
  );
  // The next offset to apply per partition: a batch fetched again after the seek is not applied twice.
  const next = new Map([...remaining].map(([key, range]) => [key, range.start]));
  const total = [...remaining.values()].reduce((sum, range) => sum + (range.end - range.start), 0);
  const outcomes = noOutcomes();
  let processed = 0;
  const progress = (): ReplayProgress => ({ processed, total, outcomes: { ...outcomes } });
  if (remaining.size === 0) return progress();

  const topics = [...new Set([...remaining.values()].map((range) => range.topic))];
  const consumer = options.kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: options.fetchBytesPerPartition ?? 8 * 1024 * 1024,
    maxBytes: 64 * 1024 * 1024,
  });
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reporter = setInterval(() => options.onProgress?.(progress()), 250);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: Math.max(1, Math.min(options.concurrency, remaining.size)),
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const key = partitionKey(batch.topic, batch.partition);
        const range = remaining.get(key);
        if (!range) return;
        const from = next.get(key) ?? range.start;
        const messages = batch.messages.filter((message) => {
          const offset = Number(message.offset);
          return offset >= from && offset < range.end;
        });
        if (inEventTimeOrder) {
          const kept = held.get(key) ?? { topic: batch.topic, partition: batch.partition, messages: [] };
          kept.messages.push(...messages);
          held.set(key, kept);
          const last = messages.at(-1);
          if (last) {
            next.set(key, Number(last.offset) + 1);
            resolveOffset(last.offset);
          }
        }
        try {
          for (const chunk of inEventTimeOrder ? [] : chunksOf(messages, options.chunkSize)) {
            if (!isRunning() || isStale()) return;
            const chunkOutcomes = await options.processor.processChunk({
              topic: batch.topic,
              partition: batch.partition,
              messages: chunk,
              heartbeat,
              // Moves the fetch position on (nothing is committed): the next fetch starts after the chunk.
              settle: async (offset) => resolveOffset(offset),
            });
            for (const outcome of chunkOutcomes) outcomes[outcome]++;
            processed += chunk.length;
            next.set(key, Number(chunk.at(-1)?.offset ?? from) + 1);
          }
        } catch (error) {
          fail(error);
          throw error;
        }
        // Messages before `from` were applied from an earlier fetch: move past them too.
        if (messages.length === 0 && batch.messages.length > 0) resolveOffset(batch.lastOffset());
        if (Number(batch.lastOffset()) >= range.end - 1) {
          remaining.delete(key);
          consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          if (remaining.size === 0) finish();
        }
      },
    });
    for (const range of remaining.values()) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.start) });
    }
    await finished;
  } finally {
    if (!inEventTimeOrder) clearInterval(reporter);
    await consumer.disconnect();
    await deleteOneOffGroup(options.kafka, options.groupId);
  }
  if (inEventTimeOrder) {
    try {
      for (const { topic, partition, message } of mergedByEventTime([...held.values()])) {
        const [outcome] = await options.processor.processChunk({
          topic,
          partition,
          messages: [message],
          heartbeat: async () => undefined,
          settle: async () => undefined,
        });
        if (outcome) outcomes[outcome]++;
        processed++;
      }
    } finally {
      clearInterval(reporter);
    }
  }
  options.onProgress?.(progress());
  return progress();
}

/**
 * One sequence of the partitions' messages by the events' `time` (when the service decided them), each
 * partition's offset order kept even where its times go backwards (another replica's clock); ties by
 * partition. A message without a readable time sorts as early as it can.
 */
export function mergedByEventTime(
  partitions: readonly { topic: string; partition: number; messages: readonly KafkaMessage[] }[],
): { topic: string; partition: number; message: KafkaMessage }[] {
  const queues = [...partitions]
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
    .map((entry) => ({ ...entry, at: 0 }));
  const merged: { topic: string; partition: number; message: KafkaMessage }[] = [];
  for (;;) {
    let earliest: (typeof queues)[number] | undefined;
    let earliestTime = Infinity;
    for (const queue of queues) {
      const message = queue.messages[queue.at];
      if (!message) continue;
      const time = eventTimeOf(message);
      if (earliest === undefined || time < earliestTime) {
        earliest = queue;
        earliestTime = time;
      }
    }
    if (!earliest) return merged;
    const message = earliest.messages[earliest.at++] as KafkaMessage;
    merged.push({ topic: earliest.topic, partition: earliest.partition, message });
  }
}

function eventTimeOf(message: KafkaMessage): number {
  try {
    const time = Date.parse(
      (JSON.parse(message.value?.toString('utf8') ?? '') as { time?: string }).time ?? '',
    );
    return Number.isNaN(time) ? -Infinity : time;
  } catch {
    return -Infinity;
  }
}

import { type Kafka } from 'kafkajs';
import {
  type IdempotentEventProcessor,
  type ProcessOutcome,
} from '../consumer/idempotent-event-processor.js';

/** Where a replay starts: every retained message, or the first message at or after a time. */
export type ReplayStart = { readonly kind: 'earliest' } | { readonly kind: 'time'; readonly at: Date };

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to apply. */
  readonly start: number;
  /** One past the last offset to apply: the high watermark when the replay began. */
  readonly end: number;
}

export interface ReplayProgress {
  readonly processed: number;
  readonly total: number;
  readonly outcomes: Readonly<Record<ProcessOutcome, number>>;
}

export interface TopicReplayOptions {
  readonly kafka: Kafka;
  readonly topics: readonly string[];
  readonly from: ReplayStart;
  readonly processor: IdempotentEventProcessor;
  /** A consumer group of its own: a replay never moves a live service's offsets. */
  readonly groupId: string;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

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
      const offsets = await admin.fetchTopicOffsets(topic);
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
 * Feeds every message of the ranges, in partition order, to the processor (the same code path as the
 * live consumer, so a replay rebuilds exactly what consuming built), then stops.
 */
export async function replayTopics(options: TopicReplayOptions): Promise<ReplayProgress> {
  const ranges = await replayRanges(options.kafka, options.topics, options.from);
  const remaining = new Map(
    ranges
      .filter((range) => range.end > range.start)
      .map((range) => [`${range.topic}:${range.partition}`, range]),
  );
  const total = [...remaining.values()].reduce((sum, range) => sum + (range.end - range.start), 0);
  const outcomes: Record<ProcessOutcome, number> = { applied: 0, duplicate: 0, ignored: 0, dead_lettered: 0 };
  let processed = 0;
  const progress = (): ReplayProgress => ({ processed, total, outcomes: { ...outcomes } });
  if (remaining.size === 0) return progress();

  const consumer = options.kafka.consumer({ groupId: options.groupId, allowAutoTopicCreation: false });
  let finish: () => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const reporter = setInterval(() => options.onProgress?.(progress()), 250);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const key = `${topic}:${partition}`;
        const range = remaining.get(key);
        const offset = Number(message.offset);
        if (!range || offset < range.start || offset >= range.end) return;
        try {
          outcomes[await options.processor.process({ topic, partition, message, heartbeat })]++;
        } catch (error) {
          fail(error);
          throw error;
        }
        processed++;
        if (offset >= range.end - 1) {
          remaining.delete(key);
          if (remaining.size === 0) finish();
        }
      },
    });
    for (const range of remaining.values()) {
      consumer.seek({ topic: range.topic, partition: range.partition, offset: String(range.start) });
    }
    await finished;
  } finally {
    clearInterval(reporter);
    await consumer.disconnect();
    await deleteGroup(options.kafka, options.groupId);
  }
  options.onProgress?.(progress());
  return progress();
}

async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // The group holds no committed offsets; a leftover empty group expires on its own.
  } finally {
    await admin.disconnect();
  }
}

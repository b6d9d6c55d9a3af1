import { randomUUID } from 'node:crypto';
import { isDlqTopic } from '@onecommons/contracts';
import { type Kafka } from 'kafkajs';
import { deleteOneOffGroup } from '../consumer/one-off-group.js';
import { topicWatermarks } from '../topics/topic-watermarks.js';
import {
  summarizeDeadLetterTopic,
  type DeadLetterTopicContents,
  type DlqMessage,
} from './dead-letter-entry.js';

export interface DeadLetterReaderOptions {
  /** How long reading may take before it fails naming the partitions it could not finish. */
  readonly timeoutMs?: number;
}

/** The part of one partition that existed when the read started: offsets `low` ≤ o < `high`. */
interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  readonly low: bigint;
  readonly high: bigint;
}

const partitionKey = (topic: string, partition: number) => `${topic}[${partition}]`;

/**
 * Reads DLQ topics as they are when called: each partition from its low to its high watermark, with a
 * throwaway consumer group that commits nothing and is deleted afterwards, so it never disturbs the
 * platform's consumers and always terminates (messages arriving meanwhile are left for the next read).
 */
export class DeadLetterReader {
  private readonly timeoutMs: number;

  constructor(
    private readonly kafka: Kafka,
    options: DeadLetterReaderOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async read(dlqTopics: readonly string[]): Promise<DeadLetterTopicContents[]> {
    const topics = [...new Set(dlqTopics)];
    const notDlq = topics.filter((topic) => !isDlqTopic(topic));
    if (notDlq.length > 0) throw new Error(`not dead-letter topics: ${notDlq.join(', ')}`);
    if (topics.length === 0) return [];
    const ranges = await this.watermarks(topics);
    const unread = ranges.filter((range) => range.low < range.high);
    const messages = unread.length > 0 ? await this.consume(unread) : new Map<string, DlqMessage[]>();
    return topics.map((topic) => summarizeDeadLetterTopic(topic, messages.get(topic) ?? []));
  }

  private async watermarks(topics: readonly string[]): Promise<PartitionRange[]> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) throw new Error(`the broker has no topic ${missing.join(', ')}`);
      const ranges: PartitionRange[] = [];
      for (const topic of topics) {
        for (const { partition, low, high } of await topicWatermarks(admin, topic)) {
          ranges.push({ topic, partition, low: BigInt(low), high: BigInt(high) });
        }
      }
      return ranges;
    } finally {
      await admin.disconnect();
    }
  }

  /** Reads every range to its end; returns the messages per topic, each offset once. */
  private async consume(ranges: readonly PartitionRange[]): Promise<Map<string, DlqMessage[]>> {
    const groupId = `oc-dlq-reader-${randomUUID()}`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const byPartition = new Map(ranges.map((range) => [partitionKey(range.topic, range.partition), range]));
    // Where each partition's read has got to; a batch's last offset counts control records and
    // compacted gaps too, which never reach eachBatch.
    const next = new Map(ranges.map((range) => [partitionKey(range.topic, range.partition), range.low]));
    const seen = new Map<string, { topic: string; message: DlqMessage }>();
    const unfinished = () =>
      ranges.filter((range) => (next.get(partitionKey(range.topic, range.partition)) ?? 0n) < range.high);

    let timer: NodeJS.Timeout | undefined;
    try {
      const finished = new Promise<void>((resolve, reject) => {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          const key = partitionKey(payload.topic, payload.partition);
          const reached = BigInt(payload.lastOffset) + 1n;
          if (reached > (next.get(key) ?? 0n)) next.set(key, reached);
          if (unfinished().length === 0) resolve();
        });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (!payload.restart) reject(payload.error);
        });
        timer = setTimeout(() => reject(new Error(this.timeoutMessage(unfinished(), next))), this.timeoutMs);
      });
      // Awaited below; until then a crash or the timeout must not count as an unhandled rejection.
      finished.catch(() => undefined);
      await consumer.connect();
      await consumer.subscribe({
        topics: [...new Set(ranges.map((range) => range.topic))],
        fromBeginning: true,
      });
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const range = byPartition.get(partitionKey(batch.topic, batch.partition));
          if (!range) return;
          for (const message of batch.messages) {
            const offset = BigInt(message.offset);
            if (offset < range.low || offset >= range.high) continue;
            seen.set(`${partitionKey(batch.topic, batch.partition)}@${offset}`, {
              topic: batch.topic,
              message: { partition: batch.partition, message },
            });
          }
        },
      });
      await finished;
    } finally {
      clearTimeout(timer);
      await consumer.disconnect();
      await deleteOneOffGroup(this.kafka, groupId);
    }
    const messages = new Map<string, DlqMessage[]>();
    for (const { topic, message } of seen.values()) {
      const list = messages.get(topic) ?? [];
      list.push(message);
      messages.set(topic, list);
    }
    return messages;
  }

  private timeoutMessage(unfinished: readonly PartitionRange[], next: ReadonlyMap<string, bigint>): string {
    const where = unfinished
      .map((range) => {
        const key = partitionKey(range.topic, range.partition);
        return `${key} at offset ${next.get(key) ?? range.low} of ${range.high}`;
      })
      .join(', ');
    return `reading dead letters timed out after ${this.timeoutMs} ms: ${where}`;
  }
}

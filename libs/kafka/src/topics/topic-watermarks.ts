import { type Admin } from 'kafkajs';
import { sleep } from '../backoff.js';

export interface PartitionWatermarks {
  readonly partition: number;
  /** The first offset still on the log. */
  readonly low: string;
  /** The offset the next message written to the partition will get. */
  readonly high: string;
}

const ATTEMPTS = 8;

/**
 * The watermarks of every partition of `topic`. kafkajs answers `fetchTopicOffsets` from its cached metadata:
 * while a partition has no leader (a node restarting) it leaves that partition out, and when concurrent calls on
 * one admin refresh the metadata under each other it throws a TypeError (tulios/kafkajs#461, seen with three
 * nodes); just after a leader moved (or a topic was made) it gives up on the broker's retriable "not the leader".
 * Each time the answer is asked again, so a replay or a lag reading never silently misses a partition.
 */
export async function topicWatermarks(admin: Admin, topic: string): Promise<PartitionWatermarks[]> {
  for (let attempt = 1; ; attempt++) {
    let lastProblem: unknown;
    try {
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      const offsets = await admin.fetchTopicOffsets(topic);
      if (metadata && offsets.length === metadata.partitions.length)
        return offsets
          .map(({ partition, low, high }) => ({ partition, low, high }))
          .sort((a, b) => a.partition - b.partition);
      lastProblem = new Error(
        `watermarks of ${offsets.length} of the ${metadata?.partitions.length ?? '?'} partitions of ${topic}`,
      );
    } catch (error) {
      if (!(error instanceof TypeError || isRetriable(error))) throw error;
      lastProblem = error;
    }
    if (attempt >= ATTEMPTS)
      throw new Error(`could not read the watermarks of ${topic} after ${ATTEMPTS} attempts`, {
        cause: lastProblem,
      });
    await sleep(100 * 2 ** Math.min(attempt, 5));
  }
}

const isRetriable = (error: unknown) =>
  typeof error === 'object' && error !== null && Reflect.get(error, 'retriable') === true;

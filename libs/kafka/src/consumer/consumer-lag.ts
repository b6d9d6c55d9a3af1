import { sleep } from '../backoff.js';
import { type Admin, AssignerProtocol } from 'kafkajs';
import { topicWatermarks } from '../topics/topic-watermarks.js';

/** How far one consumer group is behind on one partition, as the broker sees it. */
export interface PartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** The group's committed offset (the next message it will read), or null when it never committed one. */
  readonly committedOffset: string | null;
  /** The first offset still on the log (older messages went with the topic's retention). */
  readonly lowWatermark: string;
  /** The offset the next message written to the partition will get. */
  readonly highWatermark: string;
  /** Messages the group has yet to process: see `lagOf`. */
  readonly lag: number;
}

/**
 * Messages between where the group will resume and the end of the partition. A group with no committed
 * offset, or one whose offset fell off the log, resumes at the first retained message (the platform's
 * consumers subscribe `fromBeginning`), so everything still on the log counts.
 */
export function lagOf(committedOffset: string | null, lowWatermark: string, highWatermark: string): number {
  const low = BigInt(lowWatermark);
  const high = BigInt(highWatermark);
  const committed = committedOffset === null ? -1n : BigInt(committedOffset);
  const resumeAt = committed < low ? low : committed;
  return resumeAt >= high ? 0 : Number(high - resumeAt);
}

/**
 * The committed offsets of `groupId` against the high watermarks of `topics`, per partition. Works whether or
 * not the group has a live member: it reads the group coordinator and the partition leaders, never the
 * consumer's own fetch position, so a stuck or stopped consumer shows its whole backlog.
 */
export async function measureConsumerLag(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<PartitionLag[]> {
  if (topics.length === 0) return [];
  const [committed, watermarks] = await Promise.all([
    retryingCoordinatorErrors(() => admin.fetchOffsets({ groupId, topics: [...topics] })),
    Promise.all(topics.map(async (topic) => ({ topic, offsets: await topicWatermarks(admin, topic) }))),
  ]);
  const committedOf = new Map(
    committed.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => [`${topic}:${partition}`, offset] as const),
    ),
  );
  return watermarks
    .flatMap(({ topic, offsets }) =>
      offsets.map(({ partition, low, high }) => {
        const offset = committedOf.get(`${topic}:${partition}`);
        const committedOffset = offset === undefined || Number(offset) < 0 ? null : offset;
        return {
          topic,
          partition,
          committedOffset,
          lowWatermark: low,
          highWatermark: high,
          lag: lagOf(committedOffset, low, high),
        };
      }),
    )
    .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

/**
 * The topics among `candidates` that `groupId` consumes, as far as the broker knows: those its live members
 * subscribe to, and those it committed an offset on (a stopped group's members are gone, its offsets stay).
 */
export async function topicsConsumedBy(
  admin: Admin,
  groupId: string,
  candidates: readonly string[],
): Promise<string[]> {
  if (candidates.length === 0) return [];
  const [{ groups }, committed] = await Promise.all([
    admin.describeGroups([groupId]),
    admin.fetchOffsets({ groupId, topics: [...candidates] }),
  ]);
  const subscribed = groups.flatMap((group) =>
    group.members.flatMap(
      (member) => AssignerProtocol.MemberMetadata.decode(member.memberMetadata)?.topics ?? [],
    ),
  );
  const withOffsets = committed
    .filter(({ partitions }) => partitions.some(({ offset }) => Number(offset) >= 0))
    .map(({ topic }) => topic);
  const consumed = new Set([...subscribed, ...withOffsets]);
  return candidates.filter((topic) => consumed.has(topic));
}

/**
 * A group's coordinator moves or is still loading just after the group is created or a broker restarts
 * (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS): kafkajs marks those retriable, and a measurement waits them out.
 */
async function retryingCoordinatorErrors<T>(fetch: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch();
    } catch (error) {
      if (attempt >= attempts || (error as { retriable?: boolean }).retriable !== true) throw error;
      await sleep(100 * 2 ** attempt);
    }
  }
}

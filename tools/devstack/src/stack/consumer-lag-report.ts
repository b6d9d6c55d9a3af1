import { type PartitionLag } from '@onecommons/kafka';

export interface PartitionLagReport {
  readonly partition: number;
  readonly lag: number;
  /** The group's committed offset, null when it never committed on the partition. */
  readonly committed: string | null;
  /** The partition's high watermark. */
  readonly end: string;
}

export interface TopicLagReport {
  /** The sum over the topic's partitions. */
  readonly lag: number;
  readonly partitions: readonly PartitionLagReport[];
}

/** One service's consumer group as `./dev status --json` shows it. */
export type ConsumerGroupReport =
  | {
      readonly group: string;
      /** The sum over every topic the group consumes. */
      readonly lag: number;
      readonly topics: Readonly<Record<string, TopicLagReport>>;
    }
  | { readonly group: string; readonly error: string };

export function consumerGroupReport(group: string, partitions: readonly PartitionLag[]): ConsumerGroupReport {
  const topics: Record<string, { lag: number; partitions: PartitionLagReport[] }> = {};
  for (const entry of [...partitions].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition,
  )) {
    const topic = (topics[entry.topic] ??= { lag: 0, partitions: [] });
    topic.lag += entry.lag;
    topic.partitions.push({
      partition: entry.partition,
      lag: entry.lag,
      committed: entry.committedOffset,
      end: entry.highWatermark,
    });
  }
  const lag = Object.values(topics).reduce((sum, topic) => sum + topic.lag, 0);
  return { group, lag, topics };
}

const TOPICS_NAMED = 3;

/**
 * The lag in a few words for `./dev status`: the total and the topics that lag most, e.g.
 * `lag 1200 (metering.usage.v1 1150, identity.events.v1 50)`.
 */
export function lagSummary(report: ConsumerGroupReport | undefined): string {
  if (report === undefined) return '';
  if ('error' in report) return `lag unknown (${report.error})`;
  const topics = Object.entries(report.topics);
  if (topics.length === 0) return 'consumes nothing';
  if (report.lag === 0) return 'lag 0';
  const behind = topics
    .filter(([, topic]) => topic.lag > 0)
    .sort(([a, x], [b, y]) => y.lag - x.lag || a.localeCompare(b));
  const named = behind.slice(0, TOPICS_NAMED).map(([name, topic]) => `${name} ${topic.lag}`);
  const more = behind.length > TOPICS_NAMED ? `, +${behind.length - TOPICS_NAMED} more` : '';
  return `lag ${report.lag} (${named.join(', ')}${more})`;
}

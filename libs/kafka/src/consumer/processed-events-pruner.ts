import { dlqTopicOf } from '@onecommons/contracts';
import kafkajs, { type Admin } from 'kafkajs';
import { type DataSource } from 'typeorm';

// Not among the names Node finds in kafkajs's CommonJS exports: taken from the module object.
const { ConfigResourceTypes } = kafkajs;

/**
 * How long a message written to a topic can stay readable, from the topic's effective configuration: Kafka
 * deletes whole segments, once the newest message of a segment is older than `retention.ms`, and a segment
 * takes messages for up to `segment.ms` after its first. `null`: forever (no time retention, or compaction,
 * which keeps the latest message of every key).
 */
export interface TopicLifetime {
  readonly topic: string;
  readonly retentionMs: number;
  readonly segmentMs: number;
  readonly compacted: boolean;
  readonly lifetimeMs: number | null;
}

/**
 * The topics' effective configuration (the broker's defaults where a topic sets nothing). A topic the broker
 * does not describe (deleted, or not there yet) is left out: its records are kept.
 */
export async function topicLifetimes(
  admin: Admin,
  topics: readonly string[],
): Promise<Map<string, TopicLifetime>> {
  const described = await Promise.all(
    [...new Set(topics)].map(async (topic) => {
      try {
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            {
              type: ConfigResourceTypes.TOPIC,
              name: topic,
              configNames: ['retention.ms', 'segment.ms', 'cleanup.policy'],
            },
          ],
        });
        const entries = new Map(
          (resources[0]?.configEntries ?? []).map((entry) => [entry.configName, entry.configValue]),
        );
        return topicLifetimeOf(topic, entries);
      } catch {
        return undefined;
      }
    }),
  );
  return new Map(described.flatMap((lifetime) => (lifetime ? [[lifetime.topic, lifetime] as const] : [])));
}

export function topicLifetimeOf(
  topic: string,
  entries: ReadonlyMap<string, string>,
): TopicLifetime | undefined {
  const retention = entries.get('retention.ms');
  const segment = entries.get('segment.ms');
  if (retention === undefined || segment === undefined) return undefined;
  const retentionMs = Number(retention);
  const segmentMs = Number(segment);
  if (!Number.isFinite(retentionMs) || !Number.isFinite(segmentMs)) return undefined;
  const compacted = (entries.get('cleanup.policy') ?? 'delete').split(',').includes('compact');
  const lifetimeMs = compacted || retentionMs < 0 ? null : retentionMs + segmentMs;
  return { topic, retentionMs, segmentMs, compacted, lifetimeMs };
}

/**
 * How long after a message of `topic` was first applied a copy of it may still reach a consumer group, so
 * how long its processed-event record must stay: the message itself stays readable for the topic's lifetime
 * (a group that lags, or whose committed offsets expired and restarts from the beginning, reads it that late);
 * another group may dead-letter it that late, the letter waits on `<topic>.dlq` for the DLQ's lifetime, and a
 * redrive writes a copy back to the topic, readable for one more lifetime. `null`: forever; `undefined`: not
 * known (a topic the broker did not describe), so nothing is pruned.
 */
export function redeliveryHorizonMs(
  topic: string,
  lifetimes: ReadonlyMap<string, TopicLifetime>,
): number | null | undefined {
  const own = lifetimes.get(topic);
  const dlq = lifetimes.get(dlqTopicOf(topic));
  if (!own || !dlq) return undefined;
  if (own.lifetimeMs === null || dlq.lifetimeMs === null) return null;
  return 2 * own.lifetimeMs + dlq.lifetimeMs;
}

export interface ProcessedEventsPruneOptions {
  /** Kept on top of the horizon: clock skew, the broker's retention check interval. */
  readonly marginHours: number;
  readonly batchSize: number;
  /** At most this many rows per run; the next run carries on. */
  readonly maxRows: number;
}

export interface ProcessedEventsPrune {
  readonly deleted: number;
  /** Per consumer group and topic: what was kept and why. */
  readonly topics: readonly {
    readonly consumerGroup: string;
    readonly topic: string;
    /** Records older than this many seconds were deleted; null when none may be (see `kept`). */
    readonly olderThanSeconds: number | null;
    readonly deleted: number;
    readonly kept?: 'retained_forever' | 'retention_unknown';
  }[];
  /** False when the run stopped at `maxRows` with more to delete. */
  readonly complete: boolean;
}

/**
 * Deletes processed-event records that no redelivery can still need: older than their topic's redelivery
 * horizon (`redeliveryHorizonMs`, read from the broker at every run) plus the margin. In slices of
 * `batchSize`, each its own short statement, and at most `maxRows` per run. Every consumer group recorded in
 * the schema is pruned, so the records of a group the service no longer uses go too.
 */
export async function pruneProcessedEvents(
  dataSource: DataSource,
  admin: Admin,
  options: ProcessedEventsPruneOptions,
): Promise<ProcessedEventsPrune> {
  const pairs = await recordedGroupsAndTopics(dataSource);
  const topics = [...new Set(pairs.map((pair) => pair.topic))];
  const lifetimes = await topicLifetimes(admin, [...topics, ...topics.map(dlqTopicOf)]);
  const marginSeconds = options.marginHours * 3_600;
  let budget = options.maxRows;
  let complete = true;
  const results: ProcessedEventsPrune['topics'][number][] = [];
  for (const { consumer_group: consumerGroup, topic } of pairs) {
    const horizonMs = redeliveryHorizonMs(topic, lifetimes);
    if (horizonMs === null || horizonMs === undefined) {
      const kept = horizonMs === null ? 'retained_forever' : 'retention_unknown';
      results.push({ consumerGroup, topic, olderThanSeconds: null, deleted: 0, kept });
      continue;
    }
    const olderThanSeconds = horizonMs / 1_000 + marginSeconds;
    let deleted = 0;
    for (;;) {
      if (budget === 0) {
        complete = false;
        break;
      }
      const slice = Math.min(options.batchSize, budget);
      const removed = await deleteSlice(dataSource, consumerGroup, topic, olderThanSeconds, slice);
      deleted += removed;
      budget -= removed;
      if (removed < slice) break;
    }
    results.push({ consumerGroup, topic, olderThanSeconds, deleted });
  }
  return { deleted: results.reduce((sum, entry) => sum + entry.deleted, 0), topics: results, complete };
}

/** The distinct (group, topic) pairs, skipping through `processed_events_age_idx` instead of scanning rows. */
async function recordedGroupsAndTopics(
  dataSource: DataSource,
): Promise<{ consumer_group: string; topic: string }[]> {
  return dataSource.query(
    `WITH RECURSIVE pairs AS (
       (SELECT consumer_group, topic FROM processed_events ORDER BY consumer_group, topic LIMIT 1)
       UNION ALL
       SELECT next.consumer_group, next.topic FROM pairs, LATERAL (
         SELECT p.consumer_group, p.topic FROM processed_events p
         WHERE (p.consumer_group, p.topic) > (pairs.consumer_group, pairs.topic)
         ORDER BY p.consumer_group, p.topic LIMIT 1) next
     )
     SELECT consumer_group, topic FROM pairs`,
  );
}

async function deleteSlice(
  dataSource: DataSource,
  consumerGroup: string,
  topic: string,
  olderThanSeconds: number,
  slice: number,
): Promise<number> {
  const rows: { deleted: number }[] = await dataSource.query(
    `WITH doomed AS (
       SELECT consumer_group, event_id FROM processed_events
       WHERE consumer_group = $1 AND topic = $2
         AND processed_at < clock_timestamp() - make_interval(secs => $3)
       ORDER BY processed_at
       LIMIT $4),
     gone AS (
       DELETE FROM processed_events p USING doomed d
       WHERE p.consumer_group = d.consumer_group AND p.event_id = d.event_id
       RETURNING 1)
     SELECT count(*)::int AS deleted FROM gone`,
    [consumerGroup, topic, olderThanSeconds, slice],
  );
  return rows[0]?.deleted ?? 0;
}

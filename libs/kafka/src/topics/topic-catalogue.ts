import { allTopicNamesWithDlq, isDlqTopic, TOPICS } from '@onecommons/contracts';
import { type TopicKind, type TopicSettings } from './topic-config.js';

const HOUR_MS = 3_600_000;

/** One topic as the broker (or a Strimzi `KafkaTopic`) should have it. */
export interface TopicSpec {
  readonly name: string;
  readonly kind: TopicKind;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Topic-level broker settings, by their Kafka names. */
  readonly configEntries: Readonly<Record<string, string>>;
}

export function topicKindOf(name: string): TopicKind {
  if (isDlqTopic(name)) return 'dlq';
  return name === TOPICS.meteringUsage.name ? 'usage' : 'events';
}

export function topicSpecOf(name: string, settings: TopicSettings): TopicSpec {
  const kind = topicKindOf(name);
  const { partitions, retentionHours } = settings.kinds[kind];
  return {
    name,
    kind,
    partitions,
    replicationFactor: settings.replicationFactor,
    configEntries: {
      'retention.ms': String(retentionHours * HOUR_MS),
      'min.insync.replicas': String(settings.minInsyncReplicas),
    },
  };
}

export function topicSpecsOf(names: readonly string[], settings: TopicSettings): TopicSpec[] {
  return [...new Set(names)].map((name) => topicSpecOf(name, settings));
}

/** Every topic of the platform with its dead-letter twin, as configured: what `./dev`, services and manifests create. */
export function platformTopicCatalogue(settings: TopicSettings): TopicSpec[] {
  return topicSpecsOf(allTopicNamesWithDlq(), settings);
}

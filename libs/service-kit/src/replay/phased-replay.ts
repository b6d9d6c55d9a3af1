import {
  type BatchedEventProcessor,
  noOutcomes,
  type PartitionRange,
  type ReplayProgress,
  replayTopics,
} from '@onecommons/kafka';
import { type Kafka } from 'kafkajs';

export interface ReplayPhase {
  readonly topics: readonly string[];
  /** How the phase's partitions are interleaved (`replayTopics`). */
  readonly order: 'per-partition' | 'event-time';
}

export interface PhasedReplayOptions {
  readonly kafka: Kafka;
  readonly processor: BatchedEventProcessor;
  /** In the order they must be applied: every range of a phase is applied before the next phase starts. */
  readonly phases: readonly ReplayPhase[];
  /** Prefix of the replay's own consumer groups, one per pass. */
  readonly groupPrefix: string;
  readonly chunkSize: number;
  readonly concurrency: number;
  readonly fetchBytesPerPartition?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

/**
 * Applies ranges of the log phase by phase, each phase's partitions in parallel; called again with ranges that
 * start where the last call ended, it carries on (the progress adds up over every call).
 */
export class PhasedReplay {
  private done: ReplayProgress = { processed: 0, total: 0, outcomes: noOutcomes() };
  private passes = 0;

  constructor(private readonly options: PhasedReplayOptions) {}

  get progress(): ReplayProgress {
    return this.done;
  }

  async run(ranges: readonly PartitionRange[]): Promise<void> {
    for (const phase of this.options.phases) {
      const phaseRanges = ranges.filter(
        (range) => phase.topics.includes(range.topic) && range.end > range.start,
      );
      if (phaseRanges.length === 0) continue;
      const before = this.done;
      const { onProgress } = this.options;
      const progress = await replayTopics({
        kafka: this.options.kafka,
        ranges: phaseRanges,
        processor: this.options.processor,
        groupId: `${this.options.groupPrefix}-${this.passes++}`,
        chunkSize: this.options.chunkSize,
        concurrency: this.options.concurrency,
        order: phase.order,
        ...(this.options.fetchBytesPerPartition
          ? { fetchBytesPerPartition: this.options.fetchBytesPerPartition }
          : {}),
        ...(onProgress
          ? { onProgress: (current: ReplayProgress) => onProgress(added(before, current)) }
          : {}),
      });
      this.done = added(before, progress);
    }
  }
}

function added(before: ReplayProgress, current: ReplayProgress): ReplayProgress {
  const outcomes = { ...before.outcomes };
  for (const [outcome, count] of Object.entries(current.outcomes) as [keyof typeof outcomes, number][])
    outcomes[outcome] += count;
  return { processed: before.processed + current.processed, total: before.total + current.total, outcomes };
}

import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  BACKBONE_METRICS,
  BACKBONE_OPTIONS,
  type BackboneMetrics,
  type BackboneOptions,
  KAFKA_CLIENT,
  type ProcessedEventsPrune,
  pruneProcessedEvents,
} from '@onecommons/kafka';
import { type Job, Queue } from 'bullmq';
import { type Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { JobSchedules } from '../jobs/job-schedules.js';

export const PROCESSED_EVENTS_QUEUE = 'processed-events-maintenance';
export const PRUNE_PROCESSED_EVENTS_JOB = 'prune-processed-events';
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the idempotent consumer's `processed_events` bounded: a BullMQ job scheduler runs the prune every
 * hour, like the outbox's. Redis holds only the schedule; what is kept is decided from Postgres and the
 * broker's topic configuration at each run.
 */
@Injectable()
export class ProcessedEventsMaintenanceScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(PROCESSED_EVENTS_QUEUE) private readonly queue: Queue,
    private readonly schedules: JobSchedules,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep({ queue: this.queue, id: PRUNE_PROCESSED_EVENTS_JOB, everyMs: PRUNE_EVERY_MS });
  }

  /** Runs a prune now (on demand, and in tests). */
  runNow(): Promise<Job> {
    return this.queue.add(PRUNE_PROCESSED_EVENTS_JOB, {}, { removeOnComplete: 100, removeOnFail: 100 });
  }
}

@Processor(PROCESSED_EVENTS_QUEUE)
export class ProcessedEventsMaintenanceWorker extends WorkerHost {
  private readonly logger = new Logger('ProcessedEventsMaintenance');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(BACKBONE_METRICS) private readonly metrics: BackboneMetrics,
  ) {
    super();
  }

  async process(job: Job): Promise<ProcessedEventsPrune> {
    if (job.name !== PRUNE_PROCESSED_EVENTS_JOB) throw new Error(`unknown maintenance job ${job.name}`);
    const { settings } = this.options;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const result = await pruneProcessedEvents(this.dataSource, admin, {
        marginHours: settings.processedEventsPruneMarginHours,
        batchSize: settings.processedEventsPruneBatchSize,
        maxRows: settings.processedEventsPruneMaxRowsPerRun,
      });
      this.metrics.processedEventsPruned.inc(result.deleted);
      if (result.deleted > 0 || !result.complete)
        this.logger.log(
          `pruned ${result.deleted} processed-event records${result.complete ? '' : ' (more left for the next run)'}`,
        );
      const unknown = result.topics.filter((entry) => entry.kept === 'retention_unknown');
      if (unknown.length > 0)
        this.logger.warn(
          `kept every processed-event record of ${unknown.map((entry) => entry.topic).join(', ')}: the broker did not describe the topic or its dead-letter twin`,
        );
      return result;
    } finally {
      await admin.disconnect();
    }
  }
}

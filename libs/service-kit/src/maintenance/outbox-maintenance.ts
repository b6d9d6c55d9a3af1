import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { BACKBONE_OPTIONS, type BackboneOptions, pruneSentOutboxRows } from '@onecommons/kafka';
import { type Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobSchedules } from '../jobs/job-schedules.js';

export const MAINTENANCE_QUEUE = 'maintenance';
export const PRUNE_OUTBOX_JOB = 'prune-outbox';
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Keeps the outbox small: a BullMQ job scheduler runs the prune every hour. Redis holds only the
 * schedule; the rows and their sent state live in Postgres, so a Redis flush loses nothing (the
 * scheduler is re-created at the next boot).
 */
@Injectable()
export class OutboxMaintenanceScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(MAINTENANCE_QUEUE) private readonly queue: Queue,
    private readonly schedules: JobSchedules,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep({ queue: this.queue, id: PRUNE_OUTBOX_JOB, everyMs: PRUNE_EVERY_MS });
  }

  /** Runs a prune now (on demand, and in tests). */
  runNow(): Promise<Job> {
    return this.queue.add(PRUNE_OUTBOX_JOB, {}, { removeOnComplete: 100, removeOnFail: 100 });
  }
}

@Processor(MAINTENANCE_QUEUE)
export class OutboxMaintenanceWorker extends WorkerHost {
  private readonly logger = new Logger('OutboxMaintenance');

  constructor(
    private readonly dataSource: DataSource,
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions,
  ) {
    super();
  }

  async process(job: Job): Promise<{ deleted: number }> {
    if (job.name !== PRUNE_OUTBOX_JOB) throw new Error(`unknown maintenance job ${job.name}`);
    const deleted = await pruneSentOutboxRows(this.dataSource, this.options.settings.outboxRetentionHours);
    if (deleted > 0) this.logger.log(`pruned ${deleted} sent outbox rows`);
    return { deleted };
  }
}

import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, Inject } from '@nestjs/common';
import { BACKBONE_OPTIONS, type BackboneOptions } from '@onecommons/kafka';
import { type Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { PeriodCloser } from './period-closer.js';

export const PERIOD_CLOSE_QUEUE = 'period-close';
const CLOSE_DUE_PERIODS = 'close-due-periods';
const EVERY_MS = 10 * 60 * 1000;

/**
 * Closes every period that is due (its end plus the grace has passed) on a BullMQ job schedule. Redis holds only
 * the schedule: which periods are closed is in Postgres, so a lost job or a Redis flush just means the next run
 * (or the next boot, which re-creates the schedule) does it.
 */
@Injectable()
export class PeriodCloseScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(PERIOD_CLOSE_QUEUE) private readonly queue: Queue,
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.runRelay) return; // a replay process schedules nothing
    await this.queue.upsertJobScheduler(
      CLOSE_DUE_PERIODS,
      { every: EVERY_MS },
      { name: CLOSE_DUE_PERIODS, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  }
}

/** Runs only in a serving process (not in `replay` or the one-shot `close` command). */
@Processor(PERIOD_CLOSE_QUEUE, { autorun: false })
export class PeriodCloseWorker extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('PeriodCloseWorker');

  constructor(
    private readonly dataSource: DataSource,
    private readonly closer: PeriodCloser,
    @Inject(BACKBONE_OPTIONS) private readonly options: BackboneOptions,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.options.runRelay) void this.worker.run();
  }

  async process(job: Job): Promise<{ closed: string[] }> {
    if (job.name !== CLOSE_DUE_PERIODS) throw new Error(`unknown period-close job ${job.name}`);
    return { closed: await closeDuePeriods(this.dataSource, this.closer, new Date(), this.logger) };
  }
}

/** Every period with tokens or usage that is due and not closed, oldest first. */
export async function closeDuePeriods(
  dataSource: DataSource,
  closer: PeriodCloser,
  now: Date,
  logger?: Logger,
): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT period FROM (SELECT period FROM subscriber_tokens UNION SELECT period FROM usage_quantities) periods
      WHERE period NOT IN (SELECT period FROM period_closes) ORDER BY period`,
  )) as { period: string }[];
  const closed: string[] = [];
  for (const { period } of rows) {
    if (now < closer.closesAt(period)) break;
    const result = await closer.close(period, { now });
    logger?.log(`scheduled close of ${period}: ${result.total} uCC`);
    closed.push(period);
  }
  return closed;
}

import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DomainError, JobSchedules, RunMode, SERVICE_CONFIG } from '@onecommons/service-kit';
import { type Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { type LedgerConfig } from '../config.js';
import { OpenPeriodsRepository } from './open-periods.repository.js';
import { PeriodCloseRequests } from './period-close-requests.js';
import { PeriodCloser } from './period-closer.js';

export const PERIOD_CLOSE_QUEUE = 'period-close';
export const CLOSE_DUE_PERIODS = 'close-due-periods';

/**
 * Closes every period that is due (its end plus the grace has passed) and every period whose close was requested
 * (a forced close that answered usage_not_consumed), once its usage is complete, on a BullMQ job schedule. Redis
 * holds only the schedule: which periods are requested and closed is in Postgres, so a lost job or a Redis flush
 * just means the next run does it (`JobSchedules` re-creates a lost schedule).
 */
@Injectable()
export class PeriodCloseScheduler implements OnApplicationBootstrap {
  constructor(
    @InjectQueue(PERIOD_CLOSE_QUEUE) private readonly queue: Queue,
    @Inject(SERVICE_CONFIG) private readonly config: LedgerConfig,
    private readonly schedules: JobSchedules,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.schedules.keep({
      queue: this.queue,
      id: CLOSE_DUE_PERIODS,
      everyMs: this.config.LEDGER_CLOSE_SCHEDULE_SECONDS * 1000,
    });
  }
}

/** Runs only in a serving process (not in `replay` or the one-shot `close` command). */
@Processor(PERIOD_CLOSE_QUEUE, { autorun: false })
export class PeriodCloseWorker extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger('PeriodCloseWorker');

  constructor(
    private readonly dataSource: DataSource,
    private readonly openPeriods: OpenPeriodsRepository,
    private readonly closer: PeriodCloser,
    private readonly requests: PeriodCloseRequests,
    private readonly runMode: RunMode,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.runMode.serves) void this.worker.run();
  }

  async process(job: Job): Promise<{ closed: string[] }> {
    if (job.name !== CLOSE_DUE_PERIODS) throw new Error(`unknown period-close job ${job.name}`);
    return {
      closed: await closeDuePeriods(
        this.dataSource,
        this.openPeriods,
        this.closer,
        this.requests,
        new Date(),
        this.logger,
      ),
    };
  }
}

/**
 * Every period with tokens or usage that is due, and every requested one, that is not closed, oldest first: each
 * closes if its usage is complete, else waits for the next run (without waiting here; its close request is sent
 * again when metering has not answered it). One period's wait holds up no other.
 */
export async function closeDuePeriods(
  dataSource: DataSource,
  openPeriods: OpenPeriodsRepository,
  closer: PeriodCloser,
  requests: PeriodCloseRequests,
  now: Date,
  logger?: Logger,
): Promise<string[]> {
  const withInputs = await openPeriods.withInputsNotClosed(dataSource.manager);
  const requested = new Map(
    (await requests.open(dataSource.manager)).map((request) => [request.period, request]),
  );
  const periods = [...new Set([...withInputs, ...requested.keys()])].sort();
  const closed: string[] = [];
  for (const period of periods) {
    const force = requested.get(period)?.forced ?? false;
    if (!force && now < closer.closesAt(period)) continue;
    try {
      const result = await closer.close(period, { force, now, waitSeconds: 0 });
      logger?.log(`scheduled close of ${period}: ${result.total} uCC`);
      closed.push(period);
    } catch (error) {
      // Waiting for metering's watermark or for the usage it announced; or refused (logged by the closer).
      if (!(error instanceof DomainError)) throw error;
      logger?.log(`${period} not closed yet: ${error.message}`);
    }
  }
  return closed;
}

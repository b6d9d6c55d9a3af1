import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type JobsOptions, type Queue } from 'bullmq';
import { ServiceLeader } from '../leadership/service-leader.js';
import { RunMode } from '../run-mode.js';
import { type ServiceConfig } from '../service-config.js';
import { SERVICE_CONFIG } from '../tokens.js';
import { PeriodicTask } from './periodic-task.js';

/** A BullMQ job scheduler: a job named `id` added to `queue` every `everyMs`. */
export interface JobSchedule {
  readonly queue: Queue;
  readonly id: string;
  readonly everyMs: number;
  readonly jobOptions?: JobsOptions;
}

const KEPT_JOBS = { removeOnComplete: 100, removeOnFail: 100 };

/**
 * The one home of BullMQ job schedules. Redis holds a schedule only as long as it keeps its data: after a
 * flush or a restart without persistence, nothing would run again until a process booted. So every schedule
 * is made at boot and then checked on a plain timer (which survives the flush) by the service's leader, which
 * re-creates the ones Redis lost; the work they start must be decided from Postgres, as each job's is here.
 * Only a serving process keeps schedules: a replay or a command schedules nothing.
 */
@Injectable()
export class JobSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobSchedules');
  private readonly kept = new Map<string, JobSchedule>();
  private readonly task = new PeriodicTask('JobSchedules', () => this.restoreLost(), 0);

  constructor(
    private readonly leader: ServiceLeader,
    private readonly runMode: RunMode,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Creates (or updates) the schedule now, and keeps it from then on. */
  async keep(schedule: JobSchedule): Promise<void> {
    if (!this.runMode.serves) return;
    this.kept.set(`${schedule.queue.name}/${schedule.id}`, schedule);
    await upsert(schedule);
  }

  onApplicationBootstrap(): void {
    if (!this.runMode.serves) return;
    this.task.start(this.config.JOB_SCHEDULE_CHECK_INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Re-creates the kept schedules Redis no longer has; returns how many. */
  async restoreLost(): Promise<number> {
    let restored = 0;
    for (const schedule of this.kept.values()) {
      if (await schedule.queue.getJobScheduler(schedule.id)) continue;
      await upsert(schedule);
      restored++;
      this.logger.warn(
        `re-created the job schedule ${schedule.queue.name}/${schedule.id}: Redis had lost it`,
      );
    }
    return restored;
  }
}

function upsert(schedule: JobSchedule): Promise<unknown> {
  return schedule.queue.upsertJobScheduler(
    schedule.id,
    { every: schedule.everyMs },
    { name: schedule.id, opts: { ...KEPT_JOBS, ...schedule.jobOptions } },
  );
}

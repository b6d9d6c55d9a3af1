import { Logger } from '@nestjs/common';
import { type Leadership } from '../leadership/service-leader.js';
import { PeriodicTask } from './periodic-task.js';

/** A BullMQ queue with one job per row, the job id the row's id. */
export interface RowJobQueue {
  /** False in a process that must not run jobs (a replay). */
  readonly serving: boolean;
  hasJob(id: string): Promise<boolean>;
  enqueue(id: string): Promise<void>;
}

/**
 * Postgres is the truth, Redis only wakes workers: every interval, the rows due for work whose job Redis no
 * longer has (a flush, a restart without persistence, a crash before queueing) are queued again.
 */
export class LostJobSweeper {
  private readonly logger: Logger;
  private readonly task: PeriodicTask<number>;

  constructor(
    name: string,
    private readonly queue: RowJobQueue,
    private readonly dueIds: () => Promise<readonly string[]>,
  ) {
    this.logger = new Logger(name);
    this.task = new PeriodicTask(name, () => this.requeueLost(), 0);
  }

  /** Sweeps on the leader only: a sweep is idempotent (job ids are row ids), but N replicas need not repeat it. */
  start(intervalMs: number, leadership: Leadership): void {
    if (this.queue.serving) this.task.start(intervalMs, { onlyOnLeader: leadership });
  }

  stop(): Promise<void> {
    return this.task.stop();
  }

  /** Queues the due rows that have no job; returns how many. */
  sweep(): Promise<number> {
    return this.task.runNow();
  }

  private async requeueLost(): Promise<number> {
    let requeued = 0;
    for (const id of await this.dueIds()) {
      if (await this.queue.hasJob(id)) continue;
      await this.queue.enqueue(id);
      requeued++;
    }
    if (requeued > 0) this.logger.log(`queued ${requeued} due jobs that Redis no longer had`);
    return requeued;
  }
}

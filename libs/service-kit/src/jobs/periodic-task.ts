import { Logger } from '@nestjs/common';
import { type Leadership } from '../leadership/service-leader.js';

/**
 * Runs a task on a plain timer in this process, one run at a time: sweepers that put Postgres' truth back into
 * Redis use it because a timer, unlike a BullMQ repeatable job, survives the very flush it repairs. A failed
 * run is logged and the next tick tries again.
 */
export class PeriodicTask<Result> {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Result> | undefined;

  /** `idle` is what a run answers when another is still going, or when it failed. */
  constructor(
    name: string,
    private readonly task: () => Promise<Result>,
    private readonly idle: Result,
  ) {
    this.logger = new Logger(name);
  }

  /** With `onlyOnLeader`, a tick runs only while this replica leads: once-only work across replicas. */
  start(intervalMs: number, { onlyOnLeader }: { onlyOnLeader?: Leadership } = {}): void {
    this.timer = setInterval(() => {
      if (!onlyOnLeader || onlyOnLeader.isLeader) void this.runNow();
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a run under way (it may still need the database pool). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async runNow(): Promise<Result> {
    if (this.running) return this.idle;
    this.running = this.runOnce();
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  private async runOnce(): Promise<Result> {
    try {
      return await this.task();
    } catch (error) {
      this.logger.warn(`failed: ${String(error)}`);
      return this.idle;
    }
  }
}

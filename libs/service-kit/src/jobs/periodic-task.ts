import { Logger } from '@nestjs/common';

/**
 * Runs a task on a plain timer in this process, one run at a time: sweepers that put Postgres' truth back into
 * Redis use it because a timer, unlike a BullMQ repeatable job, survives the very flush it repairs. A failed
 * run is logged and the next tick tries again.
 */
export class PeriodicTask<Result> {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  /** `idle` is what a run answers when another is still going, or when it failed. */
  constructor(
    name: string,
    private readonly task: () => Promise<Result>,
    private readonly idle: Result,
  ) {
    this.logger = new Logger(name);
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => void this.runNow(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async runNow(): Promise<Result> {
    if (this.running) return this.idle;
    this.running = true;
    try {
      return await this.task();
    } catch (error) {
      this.logger.warn(`failed: ${String(error)}`);
      return this.idle;
    } finally {
      this.running = false;
    }
  }
}

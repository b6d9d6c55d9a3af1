import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { RunMode } from '@onecommons/service-kit';
import { Queue } from 'bullmq';

export const PAYOUT_QUEUE = 'payouts';
export const PAY_JOB = 'pay';

export interface PayJobData {
  readonly payoutId: string;
}

/**
 * One job per payout, its id the payout's: queueing twice (the batch and the sweeper racing) makes one job.
 * Postgres holds the state; a job only wakes a worker. A replay process queues nothing (it must not pay).
 */
@Injectable()
export class PayoutQueue {
  constructor(
    @InjectQueue(PAYOUT_QUEUE) private readonly queue: Queue<PayJobData>,
    private readonly runMode: RunMode,
  ) {}

  get serving(): boolean {
    return this.runMode.serves;
  }

  async enqueue(payoutId: string, at: Date = new Date()): Promise<void> {
    if (!this.serving) return;
    await this.queue.add(
      PAY_JOB,
      { payoutId },
      {
        jobId: payoutId,
        delay: Math.max(0, at.getTime() - Date.now()),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async hasJob(payoutId: string): Promise<boolean> {
    return (await this.queue.getJob(payoutId)) !== undefined;
  }
}

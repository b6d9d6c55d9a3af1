import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DelayedError, type Job } from 'bullmq';
import { type PayoutsConfig } from '../config.js';
import { PAYOUT_QUEUE, type PayJobData, PayoutQueue } from './payout-queue.js';
import { PayoutRunner } from './payout-runner.js';

/** Runs payout jobs; a retry moves the same job back to delayed. Started only in a serving process. */
@Processor(PAYOUT_QUEUE, { autorun: false })
export class PayoutWorker extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly runner: PayoutRunner,
    private readonly queue: PayoutQueue,
    @Inject(SERVICE_CONFIG) private readonly config: PayoutsConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (!this.queue.serving) return;
    this.worker.concurrency = this.config.PAYOUTS_WORKER_CONCURRENCY;
    void this.worker.run();
  }

  async process(job: Job<PayJobData>, token?: string): Promise<void> {
    const result = await this.runner.run(job.data.payoutId);
    if (result.kind === 'done') return;
    await job.moveToDelayed(result.at.getTime(), token);
    throw new DelayedError();
  }
}

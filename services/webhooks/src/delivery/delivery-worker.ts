import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DelayedError, type Job } from 'bullmq';
import { type WebhooksConfig } from '../config.js';
import { DeliveryAttempter } from './delivery-attempter.js';
import { DELIVERY_QUEUE, type DeliverJobData, DeliveryQueue } from './delivery-queue.js';

/**
 * Runs delivery jobs: one attempt each; a retry moves the same job (same id) back to delayed for the
 * time the schedule or the receiver chose. Started only in a serving process (never in a replay).
 */
@Processor(DELIVERY_QUEUE, { autorun: false })
export class DeliveryWorker extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly attempter: DeliveryAttempter,
    private readonly queue: DeliveryQueue,
    @Inject(SERVICE_CONFIG) private readonly config: WebhooksConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (!this.queue.serving) return;
    this.worker.concurrency = this.config.WEBHOOKS_DELIVERY_CONCURRENCY;
    void this.worker.run();
  }

  async process(job: Job<DeliverJobData>, token?: string): Promise<void> {
    const result = await this.attempter.attempt(job.data.deliveryId);
    if (result.kind === 'done') return;
    await job.moveToDelayed(result.at.getTime(), token);
    throw new DelayedError();
  }
}

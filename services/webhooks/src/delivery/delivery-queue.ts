import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { RunMode } from '@onecommons/service-kit';
import { Queue } from 'bullmq';

export const DELIVERY_QUEUE = 'webhook-deliveries';
export const DELIVER_JOB = 'deliver';

export interface DeliverJobData {
  readonly deliveryId: string;
}

/**
 * The BullMQ side of deliveries: one job per delivery, its id the delivery's, so queueing a delivery
 * twice (the fan-out and the sweeper racing) makes one job. Postgres holds the state; a job only wakes
 * the worker up at the right time. A replay process queues nothing (it must not send webhooks again).
 */
@Injectable()
export class DeliveryQueue {
  constructor(
    @InjectQueue(DELIVERY_QUEUE) private readonly queue: Queue<DeliverJobData>,
    private readonly runMode: RunMode,
  ) {}

  get serving(): boolean {
    return this.runMode.serves;
  }

  async enqueue(deliveryId: string, at: Date = new Date()): Promise<void> {
    if (!this.serving) return;
    await this.queue.add(
      DELIVER_JOB,
      { deliveryId },
      {
        jobId: deliveryId,
        delay: Math.max(0, at.getTime() - Date.now()),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  /** Runs the delivery's job now: a delayed job is promoted, a missing one queued. */
  async wake(deliveryId: string): Promise<void> {
    if (!this.serving) return;
    const job = await this.queue.getJob(deliveryId);
    if (!job) return this.enqueue(deliveryId);
    if (await job.isDelayed()) await job.promote();
  }

  /** Whether Redis still has the delivery's job (waiting, delayed or running). */
  async hasJob(deliveryId: string): Promise<boolean> {
    return (await this.queue.getJob(deliveryId)) !== undefined;
  }
}

import { type Admin, type Kafka } from 'kafkajs';
import { sleep } from '../backoff.js';
import { type BackboneMetrics } from '../backbone-metrics.js';
import { measureConsumerLag, type PartitionLag } from './consumer-lag.js';

export interface ConsumerLagMonitorOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  /** The topics the group consumes (read at every measurement: handlers register after construction). */
  readonly topics: () => readonly string[];
  readonly metrics: Pick<BackboneMetrics, 'consumerLag' | 'consumerLagMeasuredAt'>;
  readonly intervalMs: number;
  readonly logger?: { warn(message: string): void };
}

type LagLabels = { group: string; topic: string; partition: string };

const STOP_GRACE_MS = 1_000;

/**
 * Measures the lag of one consumer group every `intervalMs` and exports it as
 * `onecommons_kafka_consumer_lag{group, topic, partition}`. It asks the broker (committed offsets against
 * high watermarks) on its own admin connection and timer, apart from the consumer: a consumer that is stuck
 * in a handler, rebalancing or not fetching at all still shows its whole backlog. One measurement at a time;
 * `consumerLagMeasuredAt` tells how fresh the numbers are (a failed measurement leaves them as they were).
 */
export class ConsumerLagMonitor {
  private admin: Admin | undefined;
  private loop: Promise<void> | undefined;
  private abort = new AbortController();
  /** The series this monitor set last time, so partitions that went away stop being reported. */
  private exported = new Map<string, LagLabels>();

  constructor(private readonly options: ConsumerLagMonitorOptions) {}

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /**
   * Stops measuring. Waits a moment for a measurement under way, not for the broker's timeouts: a service
   * shutting down while the broker is unreachable must not wait for them.
   */
  async stop(): Promise<void> {
    this.abort.abort();
    if (this.loop) {
      const stopped = new AbortController();
      await Promise.race([this.loop.finally(() => stopped.abort()), sleep(STOP_GRACE_MS, stopped.signal)]);
    }
    this.loop = undefined;
    await this.dropAdmin();
  }

  /** Measures now and updates the gauge; used by the loop and by tests. */
  async measure(): Promise<PartitionLag[]> {
    const admin = await this.connectedAdmin();
    const lags = await measureConsumerLag(admin, this.options.groupId, this.options.topics());
    this.export(lags);
    return lags;
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.measure();
      } catch (error) {
        this.options.logger?.warn(
          `could not measure the lag of consumer group ${this.options.groupId}: ${String(error)}`,
        );
        await this.dropAdmin();
      }
      await sleep(this.options.intervalMs, signal);
    }
  }

  private export(lags: readonly PartitionLag[]): void {
    const { consumerLag, consumerLagMeasuredAt } = this.options.metrics;
    const group = this.options.groupId;
    const current = new Map<string, LagLabels>();
    for (const lag of lags) {
      const labels = { group, topic: lag.topic, partition: String(lag.partition) };
      consumerLag.set(labels, lag.lag);
      current.set(`${lag.topic}:${lag.partition}`, labels);
    }
    for (const [key, labels] of this.exported) if (!current.has(key)) consumerLag.remove(labels);
    this.exported = current;
    consumerLagMeasuredAt.set({ group }, Date.now() / 1000);
  }

  private async connectedAdmin(): Promise<Admin> {
    if (this.admin) return this.admin;
    // Few retries: the next measurement comes soon, and a stale timestamp says the broker did not answer.
    const admin = this.options.kafka.admin({ retry: { retries: 1, initialRetryTime: 200 } });
    await admin.connect();
    this.admin = admin;
    return admin;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}

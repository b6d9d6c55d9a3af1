import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  createEvent,
  periodEnd,
  periodOf,
  periodStart,
  ResourceUsageReportedV1,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { PeriodicTask, RunMode, SERVICE_CONFIG, ServiceLeader } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { type ProvisionerConfig } from '../config.js';
import { PROVISIONER_SOURCE } from '../provisioner-events.js';
import { uptimeSecondsWithin } from './resource-points.js';
import { ResourceUsageRepository } from './resource-usage.repository.js';

interface Total {
  serviceId: string;
  providerId: string;
  points: bigint;
  uptimeSeconds: bigint;
}

/**
 * Tots up each (service, provider)'s resource points for the current period (and the previous one, whose
 * last minutes may not have been reported yet) from the deployments' uptime, and reports every total that
 * grew: the report row and its event commit together, so each growth is announced exactly once.
 */
@Injectable()
export class ResourceUsageReporter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly task = new PeriodicTask('ResourceUsageReporter', () => this.report(), 0);

  constructor(
    private readonly dataSource: DataSource,
    private readonly usage: ResourceUsageRepository,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: ProvisionerConfig,
    private readonly runMode: RunMode,
    private readonly leader: ServiceLeader,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.runMode.serves || this.config.PROVISIONER_USAGE_REPORT_INTERVAL_MS === 0) return;
    // On the leader only: the per-period lock below already keeps two reports from announcing one growth.
    this.task.start(this.config.PROVISIONER_USAGE_REPORT_INTERVAL_MS, { onlyOnLeader: this.leader });
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** Reports what grew since the last report; returns how many reports went out. */
  async report(now = new Date()): Promise<number> {
    const current = periodOf(now);
    const previous = periodOf(new Date(periodStart(current).getTime() - 1));
    let reported = 0;
    for (const period of [previous, current]) reported += await this.reportPeriod(period, now);
    return reported;
  }

  private async reportPeriod(period: string, now: Date): Promise<number> {
    const from = periodStart(period);
    const to = periodEnd(period);
    return this.dataSource.transaction(async (manager) => {
      // One reporter at a time across replicas, so two never announce the same growth.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended('provisioner.usage:' || $1, 0))`, [
        period,
      ]);
      const intervals = await this.usage.uptimeWithin(manager, from, to);
      const totals = new Map<string, Total>();
      for (const interval of intervals) {
        const key = `${interval.serviceId}/${interval.providerId}`;
        const total = totals.get(key) ?? {
          serviceId: interval.serviceId,
          providerId: interval.providerId,
          points: 0n,
          uptimeSeconds: 0n,
        };
        const seconds = uptimeSecondsWithin([interval], from, to, now);
        total.uptimeSeconds += seconds;
        total.points += seconds * interval.pointsPerSecond;
        totals.set(key, total);
      }
      const last = await this.usage.reportedIn(manager, period);
      const reportedPoints = new Map(
        last.map((report) => [`${report.serviceId}/${report.providerId}`, report.points]),
      );
      const grown = [...totals.entries()]
        .filter(([key, total]) => total.points > (reportedPoints.get(key) ?? 0n))
        .map(([, total]) => total);
      for (const total of grown) await this.usage.saveReport(manager, period, total, now);
      await this.outbox.append(
        manager,
        grown.map((total) =>
          createEvent(
            ResourceUsageReportedV1,
            {
              serviceId: total.serviceId,
              providerId: total.providerId,
              period,
              points: total.points.toString(),
              uptimeSeconds: total.uptimeSeconds.toString(),
              reportedAt: now.toISOString(),
            },
            PROVISIONER_SOURCE,
          ),
        ),
      );
      return grown.length;
    });
  }
}

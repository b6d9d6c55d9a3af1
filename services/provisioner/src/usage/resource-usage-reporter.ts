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

interface IntervalRow {
  service_id: string;
  provider_id: string;
  points_per_second: string;
  started_at: Date;
  ended_at: Date | null;
}

interface Total {
  serviceId: string;
  providerId: string;
  points: bigint;
  seconds: bigint;
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
      const intervals = (await manager.query(
        `SELECT d.service_id, d.provider_id, d.points_per_second::text, u.started_at, u.ended_at
           FROM deployment_uptime u JOIN deployments d ON d.id = u.deployment_id
          WHERE u.started_at < $2 AND (u.ended_at IS NULL OR u.ended_at > $1)`,
        [from, to],
      )) as IntervalRow[];
      const totals = new Map<string, Total>();
      for (const row of intervals) {
        const key = `${row.service_id}/${row.provider_id}`;
        const total = totals.get(key) ?? {
          serviceId: row.service_id,
          providerId: row.provider_id,
          points: 0n,
          seconds: 0n,
        };
        const seconds = uptimeSecondsWithin(
          [{ startedAt: row.started_at, endedAt: row.ended_at }],
          from,
          to,
          now,
        );
        total.seconds += seconds;
        total.points += seconds * BigInt(row.points_per_second);
        totals.set(key, total);
      }
      const last = (await manager.query(
        `SELECT service_id, provider_id, points::text FROM resource_usage_reports WHERE period = $1`,
        [period],
      )) as {
        service_id: string;
        provider_id: string;
        points: string;
      }[];
      const reportedPoints = new Map(
        last.map((row) => [`${row.service_id}/${row.provider_id}`, BigInt(row.points)]),
      );
      const grown = [...totals.entries()]
        .filter(([key, total]) => total.points > (reportedPoints.get(key) ?? 0n))
        .map(([, total]) => total);
      for (const total of grown) {
        await manager.query(
          `INSERT INTO resource_usage_reports (period, service_id, provider_id, points, uptime_seconds, reported_at)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (period, service_id, provider_id) DO UPDATE SET points = EXCLUDED.points,
             uptime_seconds = EXCLUDED.uptime_seconds, reported_at = EXCLUDED.reported_at`,
          [period, total.serviceId, total.providerId, total.points.toString(), total.seconds.toString(), now],
        );
      }
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
              uptimeSeconds: total.seconds.toString(),
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

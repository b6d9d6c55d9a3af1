import { Injectable } from '@nestjs/common';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type UptimeInterval } from './resource-points.js';

/** A stretch of a deployment's uptime, with what its service earns per second of it at its provider. */
export interface DeploymentUptime extends UptimeInterval {
  readonly serviceId: string;
  readonly providerId: string;
  readonly pointsPerSecond: bigint;
}

/** A (service, provider)'s resource usage in a period. */
export interface UsageReport {
  readonly serviceId: string;
  readonly providerId: string;
  readonly points: bigint;
}

const intervalRow = z
  .object({
    service_id: z.string(),
    provider_id: z.string(),
    points_per_second: bigintText,
    started_at: z.date(),
    ended_at: z.date().nullable(),
  })
  .transform((row): DeploymentUptime => ({
    serviceId: row.service_id,
    providerId: row.provider_id,
    pointsPerSecond: row.points_per_second,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  }));

const reportRow = z
  .object({ service_id: z.string(), provider_id: z.string(), points: bigintText })
  .transform((row): UsageReport => ({
    serviceId: row.service_id,
    providerId: row.provider_id,
    points: row.points,
  }));

/** The resource usage feature's reads of the deployments' uptime, and resource_usage_reports (what was announced). */
@Injectable()
export class ResourceUsageRepository {
  /** The uptime intervals that overlap [from, to), of every deployment. */
  async uptimeWithin(manager: EntityManager, from: Date, to: Date): Promise<DeploymentUptime[]> {
    return queryRows(
      manager,
      {
        name: 'resourceUsage.uptimeWithin',
        row: intervalRow,
        sql: `SELECT d.service_id, d.provider_id, u.points_per_second::text, u.started_at, u.ended_at
                FROM deployment_uptime u JOIN deployments d ON d.id = u.deployment_id
               WHERE u.started_at < $2 AND (u.ended_at IS NULL OR u.ended_at > $1)`,
      },
      [from, to],
    );
  }

  /** The usage last reported for the period, per (service, provider). */
  async reportedIn(manager: EntityManager, period: string): Promise<UsageReport[]> {
    return queryRows(
      manager,
      {
        name: 'resourceUsage.reportedIn',
        row: reportRow,
        sql: `SELECT service_id, provider_id, points::text FROM resource_usage_reports WHERE period = $1`,
      },
      [period],
    );
  }

  async saveReport(
    manager: EntityManager,
    period: string,
    report: UsageReport & { readonly uptimeSeconds: bigint },
    reportedAt: Date,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO resource_usage_reports (period, service_id, provider_id, points, uptime_seconds, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (period, service_id, provider_id) DO UPDATE SET points = EXCLUDED.points,
         uptime_seconds = EXCLUDED.uptime_seconds, reported_at = EXCLUDED.reported_at`,
      [
        period,
        report.serviceId,
        report.providerId,
        report.points.toString(),
        report.uptimeSeconds.toString(),
        reportedAt,
      ],
    );
  }
}

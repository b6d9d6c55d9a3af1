import { Injectable } from '@nestjs/common';
import {
  type AllocationContext,
  type AllocationPolicy,
  type Project,
  type Service,
} from '@onecommons/allocation';
import { type EntityManager } from 'typeorm';

/**
 * Picks the terms in force for period `$1` among a service's or agreement's rows by period: the latest that
 * applies from `$1` or before, else the earliest (a service's first terms hold for usage before them). A change
 * made during `$1` that cuts another party's share is scheduled from the next period, so it is not picked.
 */
const IN_FORCE_ORDER = `
  ORDER BY (effective_from <= $1) DESC,
           CASE WHEN effective_from <= $1 THEN effective_from END DESC NULLS LAST,
           effective_from ASC
  LIMIT 1`;

/**
 * Reads one period's allocation context (libs/allocation) from the ledger's projections: the catalog facts in
 * force for the period (the subscribers and their usage are streamed: `payingSubscribers`).
 */
@Injectable()
export class AllocationInputReader {
  /**
   * Everything a close of the period reads but its subscribers and usage: the meters, service types and every
   * service of a known type with the terms in force for the period, the projects and the agreements.
   */
  async context(
    manager: EntityManager,
    period: string,
    policy: AllocationPolicy,
  ): Promise<AllocationContext> {
    const meters = (await manager.query('SELECT name, weight::text AS weight FROM meters ORDER BY name')) as {
      name: string;
      weight: string;
    }[];
    const types = (await manager.query(
      'SELECT name, provider_bps, developer_bps FROM service_types ORDER BY name',
    )) as { name: string; provider_bps: number; developer_bps: number }[];
    return {
      period,
      policy,
      meters: new Map(meters.map((meter) => [meter.name, BigInt(meter.weight)])),
      serviceTypes: new Map(
        types.map((type) => [
          type.name,
          { providerBps: BigInt(type.provider_bps), developerBps: BigInt(type.developer_bps) },
        ]),
      ),
      services: await this.services(manager, period, 'true', []),
      projects: await this.projects(manager, period),
      agreements: (
        (await manager.query(
          `SELECT a.project_id, a.operator_id, t.developer_bps, t.binding
             FROM agreements a
             JOIN LATERAL (SELECT developer_bps, binding FROM agreement_terms
                            WHERE agreement_id = a.agreement_id ${IN_FORCE_ORDER}) t ON true
            ORDER BY a.agreement_id`,
          [period],
        )) as { project_id: string; operator_id: string; developer_bps: number; binding: boolean }[]
      ).map((row) => ({
        project: row.project_id,
        operator: row.operator_id,
        developerBps: BigInt(row.developer_bps),
        binding: row.binding,
      })),
    };
  }

  /**
   * Services the ledger knows, with the terms in force for the period, whatever usage it has: for corrections
   * of a closed period that name a service its close had no usage of.
   */
  async servicesInForce(manager: EntityManager, period: string, ids: readonly string[]): Promise<Service[]> {
    if (ids.length === 0) return [];
    return this.services(manager, period, 's.service_id = ANY($2::uuid[])', [ids]);
  }

  private async services(
    manager: EntityManager,
    period: string,
    which: string,
    params: readonly unknown[],
  ): Promise<Service[]> {
    const rows = (await manager.query(
      `SELECT s.service_id, s.type, s.operator_id, s.project_id, t.provider_bps, t.developer_bps,
              coalesce(json_agg(json_build_array(p.provider_id, p.points::text) ORDER BY p.provider_id)
                         FILTER (WHERE p.provider_id IS NOT NULL), '[]') AS providers
         FROM services s
         JOIN service_types st ON st.name = s.type
         JOIN LATERAL (SELECT provider_bps, developer_bps FROM service_terms
                        WHERE service_id = s.service_id ${IN_FORCE_ORDER}) t ON true
         LEFT JOIN provider_resource_points p ON p.service_id = s.service_id AND p.period = $1
        WHERE ${which}
        GROUP BY s.service_id, t.provider_bps, t.developer_bps ORDER BY s.service_id`,
      [period, ...params],
    )) as {
      service_id: string;
      type: string;
      operator_id: string;
      project_id: string | null;
      provider_bps: number | null;
      developer_bps: number | null;
      providers: [string, string][];
    }[];
    return rows.map((row) => ({
      id: row.service_id,
      type: row.type,
      operator: row.operator_id,
      project: row.project_id,
      providerBps: row.provider_bps === null ? null : BigInt(row.provider_bps),
      developerBps: row.developer_bps === null ? null : BigInt(row.developer_bps),
      providers: row.providers.map(([id, points]) => ({ id, weight: BigInt(points) })),
    }));
  }

  /** Each project with the contract version in force for the period: the latest effective on or before it. */
  private async projects(manager: EntityManager, period: string): Promise<Project[]> {
    const rows = (await manager.query(
      `WITH effective AS (
         SELECT DISTINCT ON (project_id) project_id, version, dependencies_bps
           FROM contract_versions WHERE effective_from <= $1
          ORDER BY project_id, effective_from DESC, version DESC
       )
       SELECT p.project_id, coalesce(e.dependencies_bps, 0) AS dependencies_bps,
              coalesce((SELECT json_agg(json_build_array(d.dependency_id, d.weight::text) ORDER BY d.dependency_id)
                          FROM project_dependencies d WHERE d.project_id = p.project_id), '[]') AS dependencies,
              coalesce((SELECT json_agg(json_build_array(m.account_id, m.weight::text) ORDER BY m.account_id)
                          FROM contract_members m
                         WHERE m.project_id = e.project_id AND m.version = e.version), '[]') AS members
         FROM projects p LEFT JOIN effective e ON e.project_id = p.project_id
        ORDER BY p.project_id`,
      [period],
    )) as {
      project_id: string;
      dependencies_bps: number;
      dependencies: [string, string][];
      members: [string, string][];
    }[];
    return rows.map((row) => ({
      id: row.project_id,
      dependenciesBps: BigInt(row.dependencies_bps),
      dependencies: row.dependencies.map(([id, weight]) => ({ id, weight: BigInt(weight) })),
      members: row.members.map(([id, weight]) => ({ id, weight: BigInt(weight) })),
    }));
  }
}

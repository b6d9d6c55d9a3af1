import { Injectable } from '@nestjs/common';
import { type Agreement, type Project, type Service, type ServiceType } from '@onecommons/allocation';
import {
  type AgreementMadeV1,
  type ContractVersionPublishedV1,
  type DataOf,
  type MeterDefinedV2,
  type ProjectCreatedV1,
  type ProjectDependenciesSetV1,
  type ServiceCreatedV1,
  type ServiceTypeDefinedV1,
} from '@onecommons/contracts';
import { bigintText, queryRows } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';

export interface ServiceTerms {
  readonly serviceId: string;
  readonly providerBps: number | null;
  readonly developerBps: number | null;
}

export interface AgreementTerms {
  readonly agreementId: string;
  readonly developerBps: number;
  readonly binding: boolean;
}

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

/** Every service of a known type matching `which` (SQL, `$2` on), with the terms in force for period `$1`. */
const servicesInForceSql = (which: string) =>
  `SELECT s.service_id, s.type, s.operator_id, s.project_id, t.provider_bps, t.developer_bps,
              coalesce(json_agg(json_build_array(p.provider_id, p.points::text) ORDER BY p.provider_id)
                         FILTER (WHERE p.provider_id IS NOT NULL), '[]') AS providers
         FROM services s
         JOIN service_types st ON st.name = s.type
         JOIN LATERAL (SELECT provider_bps, developer_bps FROM service_terms
                        WHERE service_id = s.service_id ${IN_FORCE_ORDER}) t ON true
         LEFT JOIN provider_resource_points p ON p.service_id = s.service_id AND p.period = $1
        WHERE ${which}
        GROUP BY s.service_id, t.provider_bps, t.developer_bps ORDER BY s.service_id`;

const bps = z.number().int();

/** `[id, weight as text]` pairs, as the reads build them with json_agg, as weighted parties. */
const weightedParties = z
  .array(z.tuple([z.string(), bigintText]))
  .transform((pairs) => pairs.map(([id, weight]) => ({ id, weight })));

const meterRow = z.object({ name: z.string(), weight: bigintText });

const serviceTypeRow = z
  .object({ name: z.string(), provider_bps: bps, developer_bps: bps })
  .transform((row): [string, ServiceType] => [
    row.name,
    { providerBps: BigInt(row.provider_bps), developerBps: BigInt(row.developer_bps) },
  ]);

const serviceRow = z
  .object({
    service_id: z.string(),
    type: z.string(),
    operator_id: z.string(),
    project_id: z.string().nullable(),
    provider_bps: bps.nullable(),
    developer_bps: bps.nullable(),
    providers: weightedParties,
  })
  .transform((row): Service => ({
    id: row.service_id,
    type: row.type,
    operator: row.operator_id,
    project: row.project_id,
    providerBps: row.provider_bps === null ? null : BigInt(row.provider_bps),
    developerBps: row.developer_bps === null ? null : BigInt(row.developer_bps),
    providers: row.providers,
  }));

const projectRow = z
  .object({
    project_id: z.string(),
    dependencies_bps: bps,
    dependencies: weightedParties,
    members: weightedParties,
  })
  .transform((row): Project => ({
    id: row.project_id,
    dependenciesBps: BigInt(row.dependencies_bps),
    dependencies: row.dependencies,
    members: row.members,
  }));

const agreementRow = z
  .object({ project_id: z.string(), operator_id: z.string(), developer_bps: bps, binding: z.boolean() })
  .transform((row): Agreement => ({
    project: row.project_id,
    operator: row.operator_id,
    developerBps: BigInt(row.developer_bps),
    binding: row.binding,
  }));

const versionRow = z.object({ version: z.number().int() });

/**
 * The ledger's copy of catalog's facts (meters, service types, services, projects, contracts, agreements and the
 * terms by period) and the reads of them a close allocates by, as `@onecommons/allocation` takes them.
 */
@Injectable()
export class CatalogRepository {
  async defineMeter(manager: EntityManager, meter: DataOf<typeof MeterDefinedV2>): Promise<void> {
    await manager.query(
      `INSERT INTO meters (name, weight) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight`,
      [meter.name, meter.weight],
    );
  }

  async defineServiceType(manager: EntityManager, type: DataOf<typeof ServiceTypeDefinedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO service_types (name, provider_bps, developer_bps) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET provider_bps = EXCLUDED.provider_bps, developer_bps = EXCLUDED.developer_bps`,
      [type.name, type.providerBps, type.developerBps],
    );
  }

  async upsertService(manager: EntityManager, service: DataOf<typeof ServiceCreatedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO services (service_id, operator_id, app_id, project_id, type, provider_bps, developer_bps, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, app_id = EXCLUDED.app_id,
         project_id = EXCLUDED.project_id, type = EXCLUDED.type, provider_bps = EXCLUDED.provider_bps,
         developer_bps = EXCLUDED.developer_bps, status = EXCLUDED.status`,
      [
        service.serviceId,
        service.operatorId,
        service.appId,
        service.projectId,
        service.type,
        service.providerBps,
        service.developerBps,
        service.status,
      ],
    );
  }

  /** The service's terms from the period `effectiveFrom` on (replacing those already set from that period). */
  async upsertServiceTerms(
    manager: EntityManager,
    terms: ServiceTerms,
    effectiveFrom: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO service_terms (service_id, effective_from, provider_bps, developer_bps) VALUES ($1, $2, $3, $4)
     ON CONFLICT (service_id, effective_from) DO UPDATE SET provider_bps = EXCLUDED.provider_bps,
       developer_bps = EXCLUDED.developer_bps`,
      [terms.serviceId, effectiveFrom, terms.providerBps, terms.developerBps],
    );
  }

  async upsertProject(manager: EntityManager, project: DataOf<typeof ProjectCreatedV1>): Promise<void> {
    await manager.query(
      `INSERT INTO projects (project_id, organization_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, name = EXCLUDED.name`,
      [project.projectId, project.organizationId, project.name],
    );
  }

  /** False when the project has this version already. */
  async addContractVersion(
    manager: EntityManager,
    version: Omit<DataOf<typeof ContractVersionPublishedV1>, 'members'>,
  ): Promise<boolean> {
    const inserted = await queryRows(
      manager,
      {
        name: 'catalog.addContractVersion',
        row: versionRow,
        sql: `INSERT INTO contract_versions (project_id, version, effective_from, dependencies_bps)
       VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, version) DO NOTHING RETURNING version`,
      },
      [version.projectId, version.version, version.effectiveFrom, version.dependenciesBps],
    );
    return inserted.length > 0;
  }

  /** A new version's members, an account named twice with the sum of its weights. */
  async addContractMembers(
    manager: EntityManager,
    {
      projectId,
      version,
      members,
    }: Pick<DataOf<typeof ContractVersionPublishedV1>, 'projectId' | 'version' | 'members'>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO contract_members (project_id, version, account_id, weight)
       SELECT $1, $2, account, sum(weight) FROM unnest($3::uuid[], $4::numeric[]) AS t(account, weight)
        GROUP BY account`,
      [projectId, version, members.map((member) => member.account), members.map((member) => member.weight)],
    );
  }

  /** The project's dependencies become these, a project named twice with the sum of its weights. */
  async replaceDependencies(
    manager: EntityManager,
    { projectId, dependencies }: DataOf<typeof ProjectDependenciesSetV1>,
  ): Promise<void> {
    await manager.query('DELETE FROM project_dependencies WHERE project_id = $1', [projectId]);
    if (dependencies.length === 0) return;
    await manager.query(
      `INSERT INTO project_dependencies (project_id, dependency_id, weight)
       SELECT $1, dependency, sum(weight) FROM unnest($2::uuid[], $3::numeric[]) AS t(dependency, weight)
        GROUP BY dependency`,
      [projectId, dependencies.map((entry) => entry.project), dependencies.map((entry) => entry.weight)],
    );
  }

  async upsertAgreement(manager: EntityManager, agreement: DataOf<typeof AgreementMadeV1>): Promise<void> {
    await manager.query(
      `INSERT INTO agreements (agreement_id, project_id, operator_id, developer_bps, binding)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agreement_id) DO UPDATE SET project_id = EXCLUDED.project_id,
         operator_id = EXCLUDED.operator_id, developer_bps = EXCLUDED.developer_bps, binding = EXCLUDED.binding`,
      [
        agreement.agreementId,
        agreement.projectId,
        agreement.operatorId,
        agreement.developerBps,
        agreement.binding,
      ],
    );
  }

  /** The agreement's terms from the period `effectiveFrom` on (replacing those already set from that period). */
  async upsertAgreementTerms(
    manager: EntityManager,
    terms: AgreementTerms,
    effectiveFrom: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO agreement_terms (agreement_id, effective_from, developer_bps, binding) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agreement_id, effective_from) DO UPDATE SET developer_bps = EXCLUDED.developer_bps,
       binding = EXCLUDED.binding`,
      [terms.agreementId, effectiveFrom, terms.developerBps, terms.binding],
    );
  }

  /** Each meter's weight, by name. */
  async meterWeights(manager: EntityManager): Promise<Map<string, bigint>> {
    const meters = await queryRows(
      manager,
      {
        name: 'catalog.meterWeights',
        row: meterRow,
        sql: 'SELECT name, weight::text AS weight FROM meters ORDER BY name',
      },
      [],
    );
    return new Map(meters.map((meter) => [meter.name, meter.weight]));
  }

  /** Each service type's default shares, by name. */
  async serviceTypes(manager: EntityManager): Promise<Map<string, ServiceType>> {
    return new Map(
      await queryRows(
        manager,
        {
          name: 'catalog.serviceTypes',
          row: serviceTypeRow,
          sql: 'SELECT name, provider_bps, developer_bps FROM service_types ORDER BY name',
        },
        [],
      ),
    );
  }

  /** Every service of a known type, with the terms in force for the period and its providers' points in it. */
  async servicesInForce(manager: EntityManager, period: string): Promise<Service[]> {
    return queryRows(
      manager,
      { name: 'catalog.servicesInForce', row: serviceRow, sql: servicesInForceSql('true') },
      [period],
    );
  }

  /** `servicesInForce` of these services only (those of a known type). */
  async servicesInForceOf(
    manager: EntityManager,
    period: string,
    ids: readonly string[],
  ): Promise<Service[]> {
    return queryRows(
      manager,
      {
        name: 'catalog.servicesInForceOf',
        row: serviceRow,
        sql: servicesInForceSql('s.service_id = ANY($2::uuid[])'),
      },
      [period, ids],
    );
  }

  /** Each project with the contract version in force for the period: the latest effective on or before it. */
  async projectsInForce(manager: EntityManager, period: string): Promise<Project[]> {
    return queryRows(
      manager,
      {
        name: 'catalog.projectsInForce',
        row: projectRow,
        sql: `WITH effective AS (
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
      },
      [period],
    );
  }

  /** Every agreement with the terms in force for the period, in agreement order. */
  async agreementsInForce(manager: EntityManager, period: string): Promise<Agreement[]> {
    return queryRows(
      manager,
      {
        name: 'catalog.agreementsInForce',
        row: agreementRow,
        sql: `SELECT a.project_id, a.operator_id, t.developer_bps, t.binding
             FROM agreements a
             JOIN LATERAL (SELECT developer_bps, binding FROM agreement_terms
                            WHERE agreement_id = a.agreement_id ${IN_FORCE_ORDER}) t ON true
            ORDER BY a.agreement_id`,
      },
      [period],
    );
  }
}

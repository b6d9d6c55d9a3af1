import { Injectable } from '@nestjs/common';
import { bigintText, queryOne, queryRows, queryExists } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type DependencyDto } from './projects.dto.js';

export interface Project {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string;
  readonly packageNames: string[];
  readonly createdAt: Date;
}

export interface NewProject {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly description: string;
  readonly packageNames: readonly string[];
  readonly createdBy: string;
}

export interface ProjectPageQuery {
  /** The id the previous page ended with. */
  readonly afterId: string | null;
  /** An ILIKE pattern the name must match. */
  readonly namePattern: string | null;
  readonly organizationId: string | null;
}

/** A project that publishes some of the packages asked about. */
export interface PackagePublisher {
  readonly id: string;
  readonly packageNames: string[];
}

export interface ContractMember {
  readonly account: string;
  readonly weight: string;
}

export interface ContractVersion {
  readonly projectId: string;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly dependenciesBps: number;
  readonly members: ContractMember[];
  readonly publishedBy: string;
  readonly publishedAt: Date;
}

export type NewContractVersion = Omit<ContractVersion, 'members' | 'publishedAt'> & {
  readonly members: readonly ContractMember[];
};

const PROJECT_COLUMNS = 'id, organization_id, name, description, package_names, created_at';
const CONTRACT_COLUMNS =
  'project_id, version, effective_from, dependencies_bps, members, published_by, published_at';

const projectRow = z
  .object({
    id: z.string(),
    organization_id: z.string(),
    name: z.string(),
    description: z.string(),
    package_names: z.array(z.string()),
    created_at: z.date(),
  })
  .transform((row): Project => ({
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    packageNames: row.package_names,
    createdAt: row.created_at,
  }));

const idRow = z.object({ id: z.string() });

const publisherRow = z
  .object({ id: z.string(), package_names: z.array(z.string()) })
  .transform((row): PackagePublisher => ({ id: row.id, packageNames: row.package_names }));

const contractRow = z
  .object({
    project_id: z.string(),
    version: z.number().int(),
    effective_from: z.string(),
    dependencies_bps: z.number().int(),
    members: z.array(z.object({ account: z.string(), weight: z.string() })),
    published_by: z.string(),
    published_at: z.date(),
  })
  .transform((row): ContractVersion => ({
    projectId: row.project_id,
    version: row.version,
    effectiveFrom: row.effective_from,
    dependenciesBps: row.dependencies_bps,
    members: row.members,
    publishedBy: row.published_by,
    publishedAt: row.published_at,
  }));

const latestContractRow = z
  .object({ version: z.number().int(), effective_from: z.string() })
  .transform((row) => ({ version: row.version, effectiveFrom: row.effective_from }));

const dependencyRow = z
  .object({ dependency_id: z.string(), weight: bigintText })
  .transform((row): DependencyDto => ({ project: row.dependency_id, weight: row.weight.toString() }));

/**
 * The projects feature's tables: projects, their contract versions (one immutable row per version) and their
 * dependencies on other projects.
 */
@Injectable()
export class ProjectsRepository {
  /** Refused with a unique violation when a project has this name already. */
  async create(manager: EntityManager, project: NewProject): Promise<Project> {
    return queryOne(
      manager,
      {
        name: 'projects.create',
        row: projectRow,
        sql: `INSERT INTO projects (id, organization_id, name, description, package_names, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${PROJECT_COLUMNS}`,
      },
      [
        project.id,
        project.organizationId,
        project.name,
        project.description,
        project.packageNames,
        project.createdBy,
      ],
    );
  }

  /** At most `limit` projects in id order, matching each filter given. */
  async page(manager: EntityManager, query: ProjectPageQuery, limit: number): Promise<Project[]> {
    return queryRows(
      manager,
      {
        name: 'projects.page',
        row: projectRow,
        sql: `SELECT ${PROJECT_COLUMNS} FROM projects
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
          AND ($3::uuid IS NULL OR organization_id = $3)
        ORDER BY id LIMIT $4`,
      },
      [query.afterId, query.namePattern, query.organizationId, limit],
    );
  }

  async byId(manager: EntityManager, projectId: string): Promise<Project | null> {
    const [project] = await queryRows(
      manager,
      {
        name: 'projects.byId',
        row: projectRow,
        sql: `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1`,
      },
      [projectId],
    );
    return project ?? null;
  }

  /** The project if the organization owns it, locked until the transaction ends when `lock` is set. */
  async ownedBy(
    manager: EntityManager,
    organizationId: string,
    projectId: string,
    lock: boolean,
  ): Promise<Project | null> {
    const [project] = await queryRows(
      manager,
      {
        name: 'projects.ownedBy',
        row: projectRow,
        sql: `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1 AND organization_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      },
      [projectId, organizationId],
    );
    return project ?? null;
  }

  async exists(manager: EntityManager, projectId: string): Promise<boolean> {
    return queryExists(manager, { name: 'projects.exists', sql: 'SELECT 1 FROM projects WHERE id = $1' }, [
      projectId,
    ]);
  }

  /** Which of the ids are projects'. */
  async existing(manager: EntityManager, projectIds: readonly string[]): Promise<Set<string>> {
    const rows = await queryRows(
      manager,
      {
        name: 'projects.existing',
        row: idRow,
        sql: 'SELECT id FROM projects WHERE id = ANY($1::uuid[])',
      },
      [projectIds],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** The projects, other than `projectId`, that publish any of the packages, in id order. */
  async publishersOf(
    manager: EntityManager,
    packageNames: readonly string[],
    projectId: string,
  ): Promise<PackagePublisher[]> {
    return queryRows(
      manager,
      {
        name: 'projects.publishersOf',
        row: publisherRow,
        sql: `SELECT id, package_names FROM projects WHERE package_names && $1::text[] AND id <> $2 ORDER BY id`,
      },
      [packageNames, projectId],
    );
  }

  /** The highest version of the project's contract; null before the first is published. */
  async latestContract(
    manager: EntityManager,
    projectId: string,
  ): Promise<{ readonly version: number; readonly effectiveFrom: string } | null> {
    const [latest] = await queryRows(
      manager,
      {
        name: 'projects.latestContract',
        row: latestContractRow,
        sql: `SELECT version, effective_from FROM contract_versions WHERE project_id = $1 ORDER BY version DESC LIMIT 1`,
      },
      [projectId],
    );
    return latest ?? null;
  }

  async publishContract(manager: EntityManager, contract: NewContractVersion): Promise<ContractVersion> {
    return queryOne(
      manager,
      {
        name: 'projects.publishContract',
        row: contractRow,
        sql: `INSERT INTO contract_versions (project_id, version, effective_from, dependencies_bps, members, published_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CONTRACT_COLUMNS}`,
      },
      [
        contract.projectId,
        contract.version,
        contract.effectiveFrom,
        contract.dependenciesBps,
        JSON.stringify(contract.members),
        contract.publishedBy,
      ],
    );
  }

  /** Every version of the project's contract, oldest first. */
  async contractHistory(manager: EntityManager, projectId: string): Promise<ContractVersion[]> {
    return queryRows(
      manager,
      {
        name: 'projects.contractHistory',
        row: contractRow,
        sql: `SELECT ${CONTRACT_COLUMNS} FROM contract_versions WHERE project_id = $1 ORDER BY version`,
      },
      [projectId],
    );
  }

  /** The highest version taking effect in `period` or before; null when none does. */
  async contractInForce(
    manager: EntityManager,
    projectId: string,
    period: string,
  ): Promise<ContractVersion | null> {
    const [contract] = await queryRows(
      manager,
      {
        name: 'projects.contractInForce',
        row: contractRow,
        sql: `SELECT ${CONTRACT_COLUMNS} FROM contract_versions WHERE project_id = $1 AND effective_from <= $2
        ORDER BY version DESC LIMIT 1`,
      },
      [projectId, period],
    );
    return contract ?? null;
  }

  /** The project's dependencies, in dependency id order. */
  async dependencies(manager: EntityManager, projectId: string): Promise<DependencyDto[]> {
    return queryRows(
      manager,
      {
        name: 'projects.dependencies',
        row: dependencyRow,
        sql: `SELECT dependency_id, weight::text AS weight FROM project_dependencies WHERE project_id = $1
        ORDER BY dependency_id`,
      },
      [projectId],
    );
  }

  async replaceDependencies(
    manager: EntityManager,
    projectId: string,
    dependencies: readonly DependencyDto[],
  ): Promise<void> {
    await manager.query('DELETE FROM project_dependencies WHERE project_id = $1', [projectId]);
    if (dependencies.length > 0)
      await manager.query(
        `INSERT INTO project_dependencies (project_id, dependency_id, weight)
         SELECT $1, unnest($2::uuid[]), unnest($3::bigint[])`,
        [projectId, dependencies.map((entry) => entry.project), dependencies.map((entry) => entry.weight)],
      );
  }
}

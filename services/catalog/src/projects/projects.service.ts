import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import {
  ContractVersionPublishedV1,
  createEvent,
  periodOf,
  ProjectCreatedV1,
  ProjectDependenciesSetV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { isUniqueViolation } from '@onecommons/persistence';
import { decodeCursor, type Page, pageOf } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogError } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { likePattern, type SearchQuery } from '../search.js';
import { packageWeights } from './manifest-weights.js';
import {
  type ContractVersionDto,
  type CreateProjectDto,
  type DependencyDto,
  type ImportManifestDto,
  type ManifestImportDto,
  type ProjectDto,
  type PublishContractDto,
  type SetDependenciesDto,
} from './projects.dto.js';

interface ProjectRow {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  package_names: string[];
  created_at: Date;
}

interface ContractRow {
  project_id: string;
  version: number;
  effective_from: string;
  dependencies_bps: number;
  members: { account: string; weight: string }[];
  published_by: string;
  published_at: Date;
}

const PROJECT_COLUMNS = 'id, organization_id, name, description, package_names, created_at';
const CONTRACT_COLUMNS =
  'project_id, version, effective_from, dependencies_bps, members, published_by, published_at';

const projectNotFound = () => CatalogError.notFound('project_not_found', 'No such project.');

@Injectable()
export class ProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(principal: Principal, organizationId: string, input: CreateProjectDto): Promise<ProjectDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const [row] = (await manager.query(
          `INSERT INTO projects (id, organization_id, name, description, package_names, created_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${PROJECT_COLUMNS}`,
          [uuidV7(), organizationId, input.name, input.description, input.packageNames, principal.subject],
        )) as ProjectRow[];
        const project = toProjectDto(row as ProjectRow);
        await this.outbox.append(manager, [
          createEvent(
            ProjectCreatedV1,
            {
              projectId: project.id,
              organizationId,
              name: project.name,
              packageNames: [...project.packageNames],
            },
            CATALOG_SOURCE,
          ),
        ]);
        return project;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw CatalogError.conflict('project_name_taken', 'A project has this name.', 'name');
      throw error;
    }
  }

  async list(query: SearchQuery & { organizationId?: string }): Promise<Page<ProjectDto>> {
    const rows = (await this.dataSource.query(
      `SELECT ${PROJECT_COLUMNS} FROM projects
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR name ILIKE $2)
          AND ($3::uuid IS NULL OR organization_id = $3)
        ORDER BY id LIMIT $4`,
      [decodeCursor(query.cursor), likePattern(query.q), query.organizationId ?? null, query.limit + 1],
    )) as ProjectRow[];
    return pageOf(rows, query.limit, toProjectDto);
  }

  async get(projectId: string): Promise<ProjectDto> {
    return toProjectDto(await projectRow(this.dataSource.manager, projectId));
  }

  /**
   * Publishes the next version of the project's contract. It takes effect from its period (never a past
   * one, never before the latest version's), so a period's allocation uses the version in force then.
   */
  async publishContract(
    principal: Principal,
    organizationId: string,
    projectId: string,
    input: PublishContractDto,
    now = new Date(),
  ): Promise<ContractVersionDto> {
    const currentPeriod = periodOf(now);
    const effectiveFrom = input.effectiveFrom ?? currentPeriod;
    if (effectiveFrom < currentPeriod)
      throw CatalogError.invalid('period_in_past', `must be ${currentPeriod} or later`, 'effectiveFrom');
    return this.dataSource.transaction(async (manager) => {
      await ownedProject(manager, organizationId, projectId, true);
      const [latest] = (await manager.query(
        `SELECT version, effective_from FROM contract_versions WHERE project_id = $1 ORDER BY version DESC LIMIT 1`,
        [projectId],
      )) as Pick<ContractRow, 'version' | 'effective_from'>[];
      if (latest && effectiveFrom < latest.effective_from)
        throw CatalogError.invalid(
          'period_before_latest_version',
          `must be ${latest.effective_from} or later (version ${latest.version} takes effect then)`,
          'effectiveFrom',
        );
      await ensureKnownAccounts(
        manager,
        input.members.map((member) => member.account),
      );
      const [row] = (await manager.query(
        `INSERT INTO contract_versions (project_id, version, effective_from, dependencies_bps, members, published_by)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${CONTRACT_COLUMNS}`,
        [
          projectId,
          (latest?.version ?? 0) + 1,
          effectiveFrom,
          input.dependenciesBps,
          JSON.stringify(input.members),
          principal.subject,
        ],
      )) as ContractRow[];
      const contract = toContractDto(row as ContractRow);
      await this.outbox.append(manager, [
        createEvent(
          ContractVersionPublishedV1,
          {
            projectId,
            version: contract.version,
            effectiveFrom: contract.effectiveFrom,
            dependenciesBps: contract.dependenciesBps,
            members: contract.members.map(({ account, weight }) => ({ account, weight })),
          },
          CATALOG_SOURCE,
        ),
      ]);
      return contract;
    });
  }

  async contractHistory(projectId: string): Promise<ContractVersionDto[]> {
    await projectRow(this.dataSource.manager, projectId);
    const rows = (await this.dataSource.query(
      `SELECT ${CONTRACT_COLUMNS} FROM contract_versions WHERE project_id = $1 ORDER BY version`,
      [projectId],
    )) as ContractRow[];
    return rows.map(toContractDto);
  }

  /** The version in force in a period (default: the current one). */
  async contractFor(projectId: string, period = periodOf(new Date())): Promise<ContractVersionDto> {
    await projectRow(this.dataSource.manager, projectId);
    const [row] = (await this.dataSource.query(
      `SELECT ${CONTRACT_COLUMNS} FROM contract_versions WHERE project_id = $1 AND effective_from <= $2
        ORDER BY version DESC LIMIT 1`,
      [projectId, period],
    )) as ContractRow[];
    if (!row)
      throw CatalogError.notFound(
        'no_contract',
        `The project has no contract in force in ${period}; its share is escrowed.`,
      );
    return toContractDto(row);
  }

  async dependencies(projectId: string): Promise<DependencyDto[]> {
    await projectRow(this.dataSource.manager, projectId);
    return this.dependenciesIn(this.dataSource.manager, projectId);
  }

  async setDependencies(
    organizationId: string,
    projectId: string,
    input: SetDependenciesDto,
  ): Promise<DependencyDto[]> {
    return this.dataSource.transaction(async (manager) => {
      await ownedProject(manager, organizationId, projectId, true);
      const index = input.dependencies.findIndex((entry) => entry.project === projectId);
      if (index >= 0)
        throw CatalogError.invalid(
          'self_dependency',
          'a project cannot depend on itself',
          `dependencies.${index}.project`,
        );
      const ids = input.dependencies.map((entry) => entry.project);
      const found = new Set(
        (
          (await manager.query('SELECT id FROM projects WHERE id = ANY($1::uuid[])', [ids])) as {
            id: string;
          }[]
        ).map((row) => row.id),
      );
      const unknown = ids.findIndex((id) => !found.has(id));
      if (unknown >= 0)
        throw CatalogError.invalid(
          'unknown_project',
          'no project has this id',
          `dependencies.${unknown}.project`,
        );
      return this.replaceDependencies(manager, projectId, input.dependencies);
    });
  }

  /** Maps a package.json's packages to the registered projects that publish them, with default weights. */
  async importManifest(
    organizationId: string,
    projectId: string,
    input: ImportManifestDto,
  ): Promise<ManifestImportDto> {
    return this.dataSource.transaction(async (manager) => {
      await ownedProject(manager, organizationId, projectId, input.apply);
      const weights = packageWeights(input.manifest);
      const names = [...weights.keys()];
      const publishers = (await manager.query(
        `SELECT id, package_names FROM projects WHERE package_names && $1::text[] AND id <> $2 ORDER BY id`,
        [names, projectId],
      )) as { id: string; package_names: string[] }[];
      const matched = new Set<string>();
      const dependencies = publishers.map((project) => {
        const packages = project.package_names.filter((name) => weights.has(name)).sort();
        packages.forEach((name) => matched.add(name));
        const weight = packages.reduce((sum, name) => sum + (weights.get(name) ?? 0n), 0n);
        return { project: project.id, weight: weight.toString(), packages };
      });
      if (input.apply)
        await this.replaceDependencies(
          manager,
          projectId,
          dependencies.map(({ project, weight }) => ({ project, weight })),
        );
      return {
        dependencies,
        unmatched: names.filter((name) => !matched.has(name)).sort(),
        applied: input.apply,
      };
    });
  }

  private async replaceDependencies(
    manager: EntityManager,
    projectId: string,
    dependencies: readonly DependencyDto[],
  ): Promise<DependencyDto[]> {
    await manager.query('DELETE FROM project_dependencies WHERE project_id = $1', [projectId]);
    if (dependencies.length > 0)
      await manager.query(
        `INSERT INTO project_dependencies (project_id, dependency_id, weight)
         SELECT $1, unnest($2::uuid[]), unnest($3::bigint[])`,
        [projectId, dependencies.map((entry) => entry.project), dependencies.map((entry) => entry.weight)],
      );
    const stored = await this.dependenciesIn(manager, projectId);
    await this.outbox.append(manager, [
      createEvent(ProjectDependenciesSetV1, { projectId, dependencies: stored }, CATALOG_SOURCE),
    ]);
    return stored;
  }

  private async dependenciesIn(manager: EntityManager, projectId: string): Promise<DependencyDto[]> {
    const rows = (await manager.query(
      `SELECT dependency_id, weight::text AS weight FROM project_dependencies WHERE project_id = $1
        ORDER BY dependency_id`,
      [projectId],
    )) as { dependency_id: string; weight: string }[];
    return rows.map((row) => ({ project: row.dependency_id, weight: row.weight }));
  }
}

async function projectRow(manager: EntityManager, projectId: string): Promise<ProjectRow> {
  const [row] = (await manager.query(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1`, [
    projectId,
  ])) as ProjectRow[];
  if (!row) throw projectNotFound();
  return row;
}

/** The project, if the organization in the route owns it (else 404: others' projects are not edited here). */
async function ownedProject(
  manager: EntityManager,
  organizationId: string,
  projectId: string,
  lock: boolean,
): Promise<ProjectRow> {
  const [row] = (await manager.query(
    `SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = $1 AND organization_id = $2 ${lock ? 'FOR UPDATE' : ''}`,
    [projectId, organizationId],
  )) as ProjectRow[];
  if (!row) throw projectNotFound();
  return row;
}

async function ensureKnownAccounts(manager: EntityManager, accounts: readonly string[]): Promise<void> {
  const known = new Set(
    (
      (await manager.query('SELECT account_id FROM known_accounts WHERE account_id = ANY($1::uuid[])', [
        accounts,
      ])) as { account_id: string }[]
    ).map((row) => row.account_id),
  );
  const unknown = accounts.findIndex((account) => !known.has(account));
  if (unknown >= 0)
    throw CatalogError.invalid(
      'unknown_account',
      'no account has this id (a new account is known here a few seconds after it registers)',
      `members.${unknown}.account`,
    );
}

function toProjectDto(row: ProjectRow): ProjectDto {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    description: row.description,
    packageNames: row.package_names,
    createdAt: row.created_at.toISOString(),
  };
}

function toContractDto(row: ContractRow): ContractVersionDto {
  return {
    projectId: row.project_id,
    version: row.version,
    effectiveFrom: row.effective_from,
    dependenciesBps: row.dependencies_bps,
    members: row.members,
    publishedBy: row.published_by,
    publishedAt: row.published_at.toISOString(),
  };
}

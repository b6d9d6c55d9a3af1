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
import { KnownPartiesRepository } from '../parties/known-parties.repository.js';
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
import { type ContractVersion, type Project, ProjectsRepository } from './projects.repository.js';

const projectNotFound = () => CatalogError.notFound('project_not_found', 'No such project.');

@Injectable()
export class ProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projects: ProjectsRepository,
    private readonly parties: KnownPartiesRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(principal: Principal, organizationId: string, input: CreateProjectDto): Promise<ProjectDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        const project = toProjectDto(
          await this.projects.create(manager, {
            id: uuidV7(),
            organizationId,
            name: input.name,
            description: input.description,
            packageNames: input.packageNames,
            createdBy: principal.subject,
          }),
        );
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
    const projects = await this.projects.page(
      this.dataSource.manager,
      {
        afterId: decodeCursor(query.cursor),
        namePattern: likePattern(query.q),
        organizationId: query.organizationId ?? null,
      },
      query.limit + 1,
    );
    return pageOf(projects, query.limit, toProjectDto);
  }

  async get(projectId: string): Promise<ProjectDto> {
    return toProjectDto(await this.existingProject(projectId));
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
      await this.ownedProject(manager, organizationId, projectId, true);
      const latest = await this.projects.latestContract(manager, projectId);
      if (latest && effectiveFrom < latest.effectiveFrom)
        throw CatalogError.invalid(
          'period_before_latest_version',
          `must be ${latest.effectiveFrom} or later (version ${latest.version} takes effect then)`,
          'effectiveFrom',
        );
      await this.ensureKnownAccounts(
        manager,
        input.members.map((member) => member.account),
      );
      const contract = toContractDto(
        await this.projects.publishContract(manager, {
          projectId,
          version: (latest?.version ?? 0) + 1,
          effectiveFrom,
          dependenciesBps: input.dependenciesBps,
          members: input.members,
          publishedBy: principal.subject,
        }),
      );
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
    await this.existingProject(projectId);
    const history = await this.projects.contractHistory(this.dataSource.manager, projectId);
    return history.map(toContractDto);
  }

  /** The version in force in a period (default: the current one). */
  async contractFor(projectId: string, period = periodOf(new Date())): Promise<ContractVersionDto> {
    await this.existingProject(projectId);
    const contract = await this.projects.contractInForce(this.dataSource.manager, projectId, period);
    if (!contract)
      throw CatalogError.notFound(
        'no_contract',
        `The project has no contract in force in ${period}; its share is escrowed.`,
      );
    return toContractDto(contract);
  }

  async dependencies(projectId: string): Promise<DependencyDto[]> {
    await this.existingProject(projectId);
    return this.projects.dependencies(this.dataSource.manager, projectId);
  }

  async setDependencies(
    organizationId: string,
    projectId: string,
    input: SetDependenciesDto,
  ): Promise<DependencyDto[]> {
    return this.dataSource.transaction(async (manager) => {
      await this.ownedProject(manager, organizationId, projectId, true);
      const index = input.dependencies.findIndex((entry) => entry.project === projectId);
      if (index >= 0)
        throw CatalogError.invalid(
          'self_dependency',
          'a project cannot depend on itself',
          `dependencies.${index}.project`,
        );
      const ids = input.dependencies.map((entry) => entry.project);
      const found = await this.projects.existing(manager, ids);
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
      await this.ownedProject(manager, organizationId, projectId, input.apply);
      const weights = packageWeights(input.manifest);
      const names = [...weights.keys()];
      const publishers = await this.projects.publishersOf(manager, names, projectId);
      const matched = new Set<string>();
      const dependencies = publishers.map((project) => {
        const packages = project.packageNames.filter((name) => weights.has(name)).sort();
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
    await this.projects.replaceDependencies(manager, projectId, dependencies);
    const stored = await this.projects.dependencies(manager, projectId);
    await this.outbox.append(manager, [
      createEvent(ProjectDependenciesSetV1, { projectId, dependencies: stored }, CATALOG_SOURCE),
    ]);
    return stored;
  }

  private async existingProject(projectId: string): Promise<Project> {
    const project = await this.projects.byId(this.dataSource.manager, projectId);
    if (!project) throw projectNotFound();
    return project;
  }

  /** The project, if the organization in the route owns it (else 404: others' projects are not edited here). */
  private async ownedProject(
    manager: EntityManager,
    organizationId: string,
    projectId: string,
    lock: boolean,
  ): Promise<Project> {
    const project = await this.projects.ownedBy(manager, organizationId, projectId, lock);
    if (!project) throw projectNotFound();
    return project;
  }

  private async ensureKnownAccounts(manager: EntityManager, accounts: readonly string[]): Promise<void> {
    const known = await this.parties.knownAccounts(manager, accounts);
    const unknown = accounts.findIndex((account) => !known.has(account));
    if (unknown >= 0)
      throw CatalogError.invalid(
        'unknown_account',
        'no account has this id (a new account is known here a few seconds after it registers)',
        `members.${unknown}.account`,
      );
  }
}

function toProjectDto(project: Project): ProjectDto {
  return {
    id: project.id,
    organizationId: project.organizationId,
    name: project.name,
    description: project.description,
    packageNames: project.packageNames,
    createdAt: project.createdAt.toISOString(),
  };
}

function toContractDto(contract: ContractVersion): ContractVersionDto {
  return {
    projectId: contract.projectId,
    version: contract.version,
    effectiveFrom: contract.effectiveFrom,
    dependenciesBps: contract.dependenciesBps,
    members: contract.members,
    publishedBy: contract.publishedBy,
    publishedAt: contract.publishedAt.toISOString(),
  };
}

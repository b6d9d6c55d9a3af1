import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, UuidParamPipe } from '@onecommons/service-kit';
import { z } from 'zod';
import { type SearchQuery, searchQuerySchema } from '../search.js';
import {
  type ContractVersionDto,
  contractQuerySchema,
  type CreateProjectDto,
  createProjectSchema,
  type DependencyDto,
  type ImportManifestDto,
  importManifestSchema,
  type ManifestImportDto,
  type ProjectDto,
  type PublishContractDto,
  publishContractSchema,
  type SetDependenciesDto,
  setDependenciesSchema,
} from './projects.dto.js';
import { ProjectsService } from './projects.service.js';

const projectListQuerySchema = searchQuerySchema.extend({ organizationId: z.uuid().optional() });
const OWNERS_OF_DEVELOPER_ORG = { param: 'organizationId', roles: ['owner'], kinds: ['developer'] } as const;

/** Changes: by the owners of the developer organization that owns the project. */
@Controller('v1/organizations/:organizationId/projects')
export class OrganizationProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @HttpCode(201)
  @RequireOrganization(OWNERS_OF_DEVELOPER_ORG)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: createProjectSchema }) body: CreateProjectDto,
  ): Promise<ProjectDto> {
    return this.projects.create(principal, organizationId, body);
  }

  @Post(':projectId/contract-versions')
  @HttpCode(201)
  @RequireOrganization(OWNERS_OF_DEVELOPER_ORG)
  publishContract(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('projectId', UuidParamPipe) projectId: string,
    @Body({ schema: publishContractSchema }) body: PublishContractDto,
  ): Promise<ContractVersionDto> {
    return this.projects.publishContract(principal, organizationId, projectId, body);
  }

  @Put(':projectId/dependencies')
  @RequireOrganization(OWNERS_OF_DEVELOPER_ORG)
  setDependencies(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('projectId', UuidParamPipe) projectId: string,
    @Body({ schema: setDependenciesSchema }) body: SetDependenciesDto,
  ): Promise<DependencyDto[]> {
    return this.projects.setDependencies(organizationId, projectId, body);
  }

  @Post(':projectId/dependencies/import')
  @HttpCode(200)
  @RequireOrganization(OWNERS_OF_DEVELOPER_ORG)
  importManifest(
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Param('projectId', UuidParamPipe) projectId: string,
    @Body({ schema: importManifestSchema }) body: ImportManifestDto,
  ): Promise<ManifestImportDto> {
    return this.projects.importManifest(organizationId, projectId, body);
  }
}

/** Reads: any signed-in participant (the catalogue is shared knowledge of the platform). */
@Controller('v1/projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Get()
  @Authenticated()
  list(
    @Query({ schema: projectListQuerySchema }) query: SearchQuery & { organizationId?: string },
  ): Promise<Page<ProjectDto>> {
    return this.projects.list(query);
  }

  @Get(':projectId')
  @Authenticated()
  get(@Param('projectId', UuidParamPipe) projectId: string): Promise<ProjectDto> {
    return this.projects.get(projectId);
  }

  @Get(':projectId/contract-versions')
  @Authenticated()
  async contractHistory(
    @Param('projectId', UuidParamPipe) projectId: string,
  ): Promise<{ items: ContractVersionDto[] }> {
    return { items: await this.projects.contractHistory(projectId) };
  }

  /** The contract in force in `?period=` (default: now). */
  @Get(':projectId/contract')
  @Authenticated()
  contract(
    @Param('projectId', UuidParamPipe) projectId: string,
    @Query({ schema: contractQuerySchema }) query: z.output<typeof contractQuerySchema>,
  ): Promise<ContractVersionDto> {
    return this.projects.contractFor(projectId, query.period);
  }

  @Get(':projectId/dependencies')
  @Authenticated()
  async dependencies(
    @Param('projectId', UuidParamPipe) projectId: string,
  ): Promise<{ items: DependencyDto[] }> {
    return { items: await this.projects.dependencies(projectId) };
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { Authenticated, CurrentPrincipal, type Principal, RequireOrganization } from '@onecommons/auth';
import { type Page, type PageQuery, pageQuerySchema, UuidParamPipe } from '@onecommons/service-kit';
import {
  type CreateDeploymentDto,
  createDeploymentSchema,
  type DeploymentDto,
  type UpdateDeploymentDto,
  updateDeploymentSchema,
} from './deployments.dto.js';
import { DeploymentsService } from './deployments.service.js';

const OPERATOR_ORG_OWNERS = { param: 'organizationId', roles: ['owner'], kinds: ['operator'] } as const;
const OPERATOR_ORG_MEMBERS = { param: 'organizationId', kinds: ['operator'] } as const;

@Controller('v1')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  /** An operator deploys one of its services onto a provider account: the desired state the loop works towards. */
  @Post('organizations/:organizationId/deployments')
  @HttpCode(201)
  @RequireOrganization(OPERATOR_ORG_OWNERS)
  create(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Body({ schema: createDeploymentSchema }) body: CreateDeploymentDto,
  ): Promise<DeploymentDto> {
    return this.deployments.create(principal, organizationId, body);
  }

  @Get('organizations/:organizationId/deployments')
  @RequireOrganization(OPERATOR_ORG_MEMBERS)
  listOfOperator(
    @CurrentPrincipal() principal: Principal,
    @Param('organizationId', UuidParamPipe) organizationId: string,
    @Query({ schema: pageQuerySchema }) query: PageQuery,
  ): Promise<Page<DeploymentDto>> {
    return this.deployments.list(principal, query, organizationId);
  }

  /** The deployments the caller's organizations run or host (all of them for admins). */
  @Get('deployments')
  @Authenticated()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query({ schema: pageQuerySchema }) query: PageQuery,
  ): Promise<Page<DeploymentDto>> {
    return this.deployments.list(principal, query);
  }

  @Get('deployments/:deploymentId')
  @Authenticated()
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('deploymentId', UuidParamPipe) deploymentId: string,
  ): Promise<DeploymentDto> {
    return this.deployments.getVisible(principal, deploymentId);
  }

  /** A new app version rolls the server (volumes kept); a new size resizes it. The loop does the work. */
  @Patch('deployments/:deploymentId')
  @Authenticated()
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('deploymentId', UuidParamPipe) deploymentId: string,
    @Body({ schema: updateDeploymentSchema }) body: UpdateDeploymentDto,
  ): Promise<DeploymentDto> {
    return this.deployments.update(principal, deploymentId, body);
  }

  /** Starts the teardown; the deployment stays readable, phase Deleting then Absent. */
  @Delete('deployments/:deploymentId')
  @HttpCode(202)
  @Authenticated()
  delete(
    @CurrentPrincipal() principal: Principal,
    @Param('deploymentId', UuidParamPipe) deploymentId: string,
  ): Promise<DeploymentDto> {
    return this.deployments.delete(principal, deploymentId);
  }
}

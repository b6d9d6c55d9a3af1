import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { uuidV7 } from '@onecommons/contracts';
import { isUniqueViolation } from '@onecommons/persistence';
import { decodeCursor, type Page, type PageQuery, pageOf } from '@onecommons/service-kit';
import { DataSource } from 'typeorm';
import { ProvisionerError } from '../provisioner-errors.js';
import { initialConditions } from '../reconcile/conditions.js';
import { DeploymentStatusWriter } from '../reconcile/deployment-status-writer.js';
import { serverIdentityOf } from '../reconcile/server-identity.js';
import {
  type ProviderAccountRecord,
  ProviderAccountsService,
} from '../provider-accounts/provider-accounts.service.js';
import { pointsPerSecond } from '../usage/resource-points.js';
import { KnownServicesRepository } from '../known-services/known-services.repository.js';
import { ProviderAccountsRepository } from '../provider-accounts/provider-accounts.repository.js';
import { type DeploymentRecord } from './deployment-record.js';
import { type CreateDeploymentDto, type DeploymentDto, type UpdateDeploymentDto } from './deployments.dto.js';
import { DeploymentsRepository, type DeploymentViewer } from './deployments.repository.js';
import { TeardownRequests } from './teardown-requests.js';

/** Who may see a deployment: admins; members of its operator or of its provider organization. */
function visibility(principal: Principal): DeploymentViewer {
  return {
    all: principal.roles.includes('admin'),
    organizations: principal.organizations.map((grant) => grant.id),
  };
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly deployments: DeploymentsRepository,
    private readonly knownServices: KnownServicesRepository,
    private readonly providerAccounts: ProviderAccountsRepository,
    private readonly accounts: ProviderAccountsService,
    private readonly status: DeploymentStatusWriter,
    private readonly teardowns: TeardownRequests,
  ) {}

  /** An operator deploys one of its own services onto a provider account, in a region, with a size. */
  async create(principal: Principal, operatorId: string, input: CreateDeploymentDto): Promise<DeploymentDto> {
    const status = await this.knownServices.statusOf(this.dataSource.manager, input.serviceId, operatorId);
    // Another operator's service looks exactly like one that does not exist.
    if (status === null)
      throw ProvisionerError.notFound('service_not_found', 'This organization runs no such service.');
    if (status !== 'active')
      throw ProvisionerError.conflict('service_not_active', `The service is ${status}.`, 'serviceId');
    const account = await this.accounts.record(input.providerAccountId);
    if (!account)
      throw ProvisionerError.invalid(
        'unknown_provider_account',
        'no such provider account',
        'providerAccountId',
      );
    const size = checkPlacement(account, input);
    const id = uuidV7();
    try {
      await this.dataSource.transaction(async (manager) => {
        // Serialises placements on one account, so its capacity is never overbooked.
        await this.providerAccounts.lock(manager, account.id);
        const used = await this.deployments.countNotAbsentOn(manager, account.id);
        if (used >= account.maxServers)
          throw ProvisionerError.conflict(
            'capacity_exhausted',
            'The provider account has no free capacity.',
            'providerAccountId',
          );
        const now = new Date();
        const deployment = await this.deployments.insert(manager, {
          id,
          serviceId: input.serviceId,
          operatorId,
          providerAccountId: account.id,
          providerId: account.organizationId,
          region: input.region,
          size: input.size,
          app: input.app,
          volumes: input.volumes,
          pointsPerSecond: pointsPerSecond(size),
          conditions: initialConditions(now),
          serverName: serverIdentityOf(id, input.serviceId).name,
          createdBy: principal.subject,
        });
        await this.status.announce(manager, deployment, now);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw ProvisionerError.conflict(
          'already_deployed',
          'The service already has a deployment on this provider account.',
          'serviceId',
        );
      throw error;
    }
    return this.getVisible(principal, id);
  }

  async list(
    principal: Principal,
    query: PageQuery,
    operatorId: string | null = null,
  ): Promise<Page<DeploymentDto>> {
    const deployments = await this.deployments.listVisible(
      this.dataSource.manager,
      { afterId: decodeCursor(query.cursor), operatorId },
      visibility(principal),
      query.limit + 1,
    );
    return pageOf(deployments, query.limit, toDeploymentDto);
  }

  async getVisible(principal: Principal, id: string): Promise<DeploymentDto> {
    return toDeploymentDto(await this.visible(principal, id));
  }

  /**
   * Changes what runs (a new generation, rolled onto a new server) or its size: owners of the operator
   * organization (or admins) only, while the deployment is wanted.
   */
  async update(principal: Principal, id: string, change: UpdateDeploymentDto): Promise<DeploymentDto> {
    this.mustOwn(principal, await this.visible(principal, id), 'change');
    await this.dataSource.transaction(async (manager) => {
      const deployment = await this.deployments.lock(manager, id);
      if (deployment.desired === 'absent')
        throw ProvisionerError.conflict('deployment_deleted', 'The deployment is being torn down.');
      if (change.app && !deployment.app)
        throw ProvisionerError.conflict(
          'bare_server',
          'This deployment was made before apps and runs no app; deploy the service again with one.',
          'app',
        );
      const account = await this.accounts.record(deployment.providerAccountId);
      if (!account) throw ProvisionerError.notFound('deployment_not_found', 'No such deployment.');
      const size = checkPlacement(account, {
        region: deployment.region,
        size: change.size ?? deployment.size,
      });
      const app = change.app ?? deployment.app;
      const newApp = app !== null && JSON.stringify(app) !== JSON.stringify(deployment.app);
      if (!newApp && size.name === deployment.size) return;
      await this.deployments.updateSpec(manager, id, {
        app: app as NonNullable<typeof app>,
        generation: deployment.generation + (newApp ? 1 : 0),
        size: size.name,
        pointsPerSecond: pointsPerSecond(size),
      });
      await this.status.applyWith(
        manager,
        { ...deployment, app, size: size.name },
        {
          conditions: [
            {
              type: 'Synced',
              status: 'False',
              reason: 'ChangeRequested',
              message: [
                newApp && app ? `Rolling out ${app.image}:${app.version} on a new server.` : '',
                size.name === deployment.size ? '' : `Resizing from ${deployment.size} to ${size.name}.`,
              ]
                .filter(Boolean)
                .join(' '),
            },
          ],
          attempt: 0,
          nextReconcileAt: new Date(),
        },
        new Date(),
      );
    });
    return this.getVisible(principal, id);
  }

  /** Starts the teardown: owners of the operator organization (or admins) only. */
  async delete(principal: Principal, id: string): Promise<DeploymentDto> {
    const deployment = await this.visible(principal, id);
    this.mustOwn(principal, deployment, 'tear down');
    const updated = await this.dataSource.transaction(async (manager) =>
      this.teardowns.request(manager, await this.deployments.lock(manager, id)),
    );
    return toDeploymentDto(updated);
  }

  private mustOwn(principal: Principal, deployment: DeploymentRecord, what: string): void {
    const owner = principal.organizations.some(
      (grant) => grant.id === deployment.operatorId && grant.role === 'owner',
    );
    if (!owner && !principal.roles.includes('admin'))
      throw ProvisionerError.forbidden(
        'forbidden',
        `Only owners of the operator organization may ${what} a deployment.`,
      );
  }

  private async visible(principal: Principal, id: string): Promise<DeploymentRecord> {
    const deployment = await this.deployments.visibleById(this.dataSource.manager, id, visibility(principal));
    if (!deployment) throw ProvisionerError.notFound('deployment_not_found', 'No such deployment.');
    return deployment;
  }
}

function checkPlacement(account: ProviderAccountRecord, input: Pick<CreateDeploymentDto, 'region' | 'size'>) {
  if (!account.regions.includes(input.region))
    throw ProvisionerError.invalid(
      'unknown_region',
      `must be one of ${account.regions.join(', ')}`,
      'region',
    );
  const size = account.sizes.find((candidate) => candidate.name === input.size);
  if (!size)
    throw ProvisionerError.invalid(
      'unknown_size',
      `must be one of ${account.sizes.map((s) => s.name).join(', ')}`,
      'size',
    );
  return size;
}

export function toDeploymentDto(deployment: DeploymentRecord): DeploymentDto {
  return {
    id: deployment.id,
    serviceId: deployment.serviceId,
    operatorId: deployment.operatorId,
    provider: {
      id: deployment.providerId,
      accountId: deployment.providerAccountId,
      api: deployment.api,
      region: deployment.region,
      size: deployment.size,
    },
    app: deployment.app,
    volumes: deployment.volumes,
    generation: deployment.generation,
    domain: deployment.domain,
    desired: deployment.desired,
    phase: deployment.phase,
    conditions: deployment.conditions,
    serverName: deployment.serverName,
    serverId: deployment.resourceId,
    createdAt: deployment.createdAt.toISOString(),
    updatedAt: deployment.updatedAt.toISOString(),
  };
}

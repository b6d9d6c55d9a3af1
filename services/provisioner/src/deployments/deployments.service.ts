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
import {
  DEPLOYMENT_COLUMNS,
  DEPLOYMENT_FROM,
  type DeploymentRecord,
  type DeploymentRow,
  toDeploymentRecord,
} from './deployment-record.js';
import { type CreateDeploymentDto, type DeploymentDto } from './deployments.dto.js';
import { TeardownRequests } from './teardown-requests.js';

/** Who may see a deployment: admins; members of its operator or of its provider organization. */
function visibility(principal: Principal): { all: boolean; organizations: string[] } {
  return {
    all: principal.roles.includes('admin'),
    organizations: principal.organizations.map((grant) => grant.id),
  };
}

@Injectable()
export class DeploymentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accounts: ProviderAccountsService,
    private readonly status: DeploymentStatusWriter,
    private readonly teardowns: TeardownRequests,
  ) {}

  /** An operator deploys one of its own services onto a provider account, in a region, with a size. */
  async create(principal: Principal, operatorId: string, input: CreateDeploymentDto): Promise<DeploymentDto> {
    const [service] = (await this.dataSource.query(
      `SELECT status FROM known_services WHERE service_id = $1 AND operator_id = $2`,
      [input.serviceId, operatorId],
    )) as { status: string }[];
    // Another operator's service looks exactly like one that does not exist.
    if (!service)
      throw ProvisionerError.notFound('service_not_found', 'This organization runs no such service.');
    if (service.status !== 'active')
      throw ProvisionerError.conflict('service_not_active', `The service is ${service.status}.`, 'serviceId');
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
        await manager.query(`SELECT 1 FROM provider_accounts WHERE id = $1 FOR UPDATE`, [account.id]);
        const [{ used }] = (await manager.query(
          `SELECT count(*)::int AS used FROM deployments WHERE provider_account_id = $1 AND phase <> 'Absent'`,
          [account.id],
        )) as [{ used: number }];
        if (used >= account.maxServers)
          throw ProvisionerError.conflict(
            'capacity_exhausted',
            'The provider account has no free capacity.',
            'providerAccountId',
          );
        const now = new Date();
        await manager.query(
          `INSERT INTO deployments (id, service_id, operator_id, provider_account_id, provider_id, region, size, points_per_second,
                                    desired, phase, conditions, server_name, next_reconcile_at, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'present', 'Pending', $9::jsonb, $10, now(), $11)`,
          [
            id,
            input.serviceId,
            operatorId,
            account.id,
            account.organizationId,
            input.region,
            input.size,
            pointsPerSecond(size).toString(),
            JSON.stringify(initialConditions(now)),
            serverIdentityOf(id, input.serviceId).name,
            principal.subject,
          ],
        );
        const [row] = (await manager.query(
          `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.id = $1`,
          [id],
        )) as DeploymentRow[];
        await this.status.announce(manager, toDeploymentRecord(row as DeploymentRow), now);
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
    const { all, organizations } = visibility(principal);
    const rows = (await this.dataSource.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM}
        WHERE ($1::uuid IS NULL OR d.id > $1) AND ($2::uuid IS NULL OR d.operator_id = $2)
          AND ($3 OR d.operator_id = ANY($4::uuid[]) OR d.provider_id = ANY($4::uuid[]))
        ORDER BY d.id LIMIT $5`,
      [decodeCursor(query.cursor), operatorId, all, organizations, query.limit + 1],
    )) as DeploymentRow[];
    return pageOf(rows, query.limit, (row) => toDeploymentDto(toDeploymentRecord(row)));
  }

  async getVisible(principal: Principal, id: string): Promise<DeploymentDto> {
    return toDeploymentDto(await this.visible(principal, id));
  }

  /** Starts the teardown: owners of the operator organization (or admins) only. */
  async delete(principal: Principal, id: string): Promise<DeploymentDto> {
    const deployment = await this.visible(principal, id);
    const owner = principal.organizations.some(
      (grant) => grant.id === deployment.operatorId && grant.role === 'owner',
    );
    if (!owner && !principal.roles.includes('admin'))
      throw ProvisionerError.forbidden(
        'forbidden',
        'Only owners of the operator organization may tear a deployment down.',
      );
    const updated = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM} WHERE d.id = $1 FOR UPDATE OF d`,
        [id],
      )) as DeploymentRow[];
      return this.teardowns.request(manager, toDeploymentRecord(row as DeploymentRow));
    });
    return toDeploymentDto(updated);
  }

  private async visible(principal: Principal, id: string): Promise<DeploymentRecord> {
    const { all, organizations } = visibility(principal);
    const [row] = (await this.dataSource.query(
      `SELECT ${DEPLOYMENT_COLUMNS} FROM ${DEPLOYMENT_FROM}
        WHERE d.id = $1 AND ($2 OR d.operator_id = ANY($3::uuid[]) OR d.provider_id = ANY($3::uuid[]))`,
      [id, all, organizations],
    )) as DeploymentRow[];
    if (!row) throw ProvisionerError.notFound('deployment_not_found', 'No such deployment.');
    return toDeploymentRecord(row);
  }
}

function checkPlacement(account: ProviderAccountRecord, input: CreateDeploymentDto) {
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
    desired: deployment.desired,
    phase: deployment.phase,
    conditions: deployment.conditions,
    serverName: deployment.serverName,
    serverId: deployment.resourceId,
    createdAt: deployment.createdAt.toISOString(),
    updatedAt: deployment.updatedAt.toISOString(),
  };
}

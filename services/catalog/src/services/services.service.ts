import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { createEvent, type DataOf, ServiceCreatedV1, ServiceUpdatedV1, uuidV7 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { isUniqueViolation } from '@onecommons/persistence';
import { ApiError, decodeCursor, type Page, pageOf } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { likePattern, type SearchQuery } from '../search.js';
import {
  type CreateServiceDto,
  type ServiceDto,
  type ServiceStatus,
  type UpdateServiceDto,
} from './services.dto.js';

interface ServiceRow {
  id: string;
  operator_id: string;
  app_id: string;
  project_id: string | null;
  type: string;
  domain: string;
  provider_bps: number | null;
  developer_bps: number | null;
  status: ServiceStatus;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, operator_id, app_id, project_id, type, domain, provider_bps, developer_bps, status, created_at,
  updated_at`;

export interface ServiceListQuery extends SearchQuery {
  readonly operatorId?: string;
  readonly projectId?: string;
}

@Injectable()
export class ServicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(principal: Principal, operatorId: string, input: CreateServiceDto): Promise<ServiceDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        await mustExist(manager, 'SELECT 1 FROM apps WHERE id = $1', input.appId, 'unknown_app', 'appId');
        if (input.projectId)
          await mustExist(
            manager,
            'SELECT 1 FROM projects WHERE id = $1',
            input.projectId,
            'unknown_project',
            'projectId',
          );
        await mustExist(
          manager,
          'SELECT 1 FROM service_types WHERE name = $1',
          input.type,
          'unknown_service_type',
          'type',
        );
        const [row] = (await manager.query(
          `INSERT INTO services (id, operator_id, app_id, project_id, type, domain, provider_bps, developer_bps, status,
                                 created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING ${COLUMNS}`,
          [
            uuidV7(),
            operatorId,
            input.appId,
            input.projectId,
            input.type,
            input.domain,
            input.providerBps,
            input.developerBps,
            principal.subject,
          ],
        )) as ServiceRow[];
        const service = toServiceDto(row as ServiceRow);
        await this.outbox.append(manager, [createEvent(ServiceCreatedV1, stateOf(service), CATALOG_SOURCE)]);
        return service;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw ApiError.conflict('domain_taken', 'Another service uses this domain.', 'domain');
      throw error;
    }
  }

  async update(operatorId: string, serviceId: string, input: UpdateServiceDto): Promise<ServiceDto> {
    return this.dataSource.transaction(async (manager) => {
      const [current] = (await manager.query(
        `SELECT ${COLUMNS} FROM services WHERE id = $1 AND operator_id = $2 FOR UPDATE`,
        [serviceId, operatorId],
      )) as ServiceRow[];
      if (!current) throw ApiError.notFound('service_not_found', 'This organization runs no such service.');
      if (current.status === 'retired')
        throw ApiError.conflict('service_retired', 'A retired service cannot change.', 'status');
      const [[row]] = (await manager.query(
        `UPDATE services SET status = $2, provider_bps = $3, developer_bps = $4, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          serviceId,
          input.status ?? current.status,
          input.providerBps === undefined ? current.provider_bps : input.providerBps,
          input.developerBps === undefined ? current.developer_bps : input.developerBps,
        ],
      )) as [ServiceRow[], number];
      const service = toServiceDto(row as ServiceRow);
      await this.outbox.append(manager, [createEvent(ServiceUpdatedV1, stateOf(service), CATALOG_SOURCE)]);
      return service;
    });
  }

  /** `q` matches the domain. */
  async list(query: ServiceListQuery): Promise<Page<ServiceDto>> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM services
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR domain ILIKE $2)
          AND ($3::uuid IS NULL OR operator_id = $3) AND ($4::uuid IS NULL OR project_id = $4)
        ORDER BY id LIMIT $5`,
      [
        decodeCursor(query.cursor),
        likePattern(query.q),
        query.operatorId ?? null,
        query.projectId ?? null,
        query.limit + 1,
      ],
    )) as ServiceRow[];
    return pageOf(rows, query.limit, toServiceDto);
  }

  async get(serviceId: string): Promise<ServiceDto> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM services WHERE id = $1`, [
      serviceId,
    ])) as ServiceRow[];
    if (!row) throw ApiError.notFound('service_not_found', 'No such service.');
    return toServiceDto(row);
  }
}

async function mustExist(manager: EntityManager, sql: string, value: string, code: string, field: string) {
  const [row] = (await manager.query(sql, [value])) as unknown[];
  if (!row) throw ApiError.badRequest(code, `no such ${field.replace(/Id$/, '')}: ${value}`, field);
}

function stateOf(service: ServiceDto): DataOf<typeof ServiceCreatedV1> {
  return {
    serviceId: service.id,
    operatorId: service.operatorId,
    appId: service.appId,
    projectId: service.projectId,
    type: service.type,
    domain: service.domain,
    providerBps: service.providerBps,
    developerBps: service.developerBps,
    status: service.status,
  };
}

function toServiceDto(row: ServiceRow): ServiceDto {
  return {
    id: row.id,
    operatorId: row.operator_id,
    appId: row.app_id,
    projectId: row.project_id,
    type: row.type,
    domain: row.domain,
    providerBps: row.provider_bps,
    developerBps: row.developer_bps,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

import { Injectable } from '@nestjs/common';
import { queryOne, queryRows, queryExists } from '@onecommons/persistence';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type Scheduled, type ServiceTerms } from '../terms/share-cuts.js';
import { SERVICE_STATUSES, type ServiceDto, type ServiceStatus } from './services.dto.js';

/** A service as the API shows it, with its share overrides as terms and its times as dates. */
export interface Service extends Pick<
  ServiceDto,
  'id' | 'operatorId' | 'appId' | 'projectId' | 'type' | 'domain' | 'status'
> {
  /** The share overrides in force (null: the type's default). */
  readonly terms: ServiceTerms;
  /** Overrides waiting for their period; null when none wait. */
  readonly scheduledTerms: Scheduled<ServiceTerms> | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface NewService extends Pick<
  Service,
  'id' | 'operatorId' | 'appId' | 'projectId' | 'type' | 'domain' | 'terms'
> {
  readonly createdBy: string;
}

export interface ServicePageQuery {
  /** The id the previous page ended with. */
  readonly afterId: string | null;
  /** An ILIKE pattern the domain must match. */
  readonly domainPattern: string | null;
  readonly operatorId: string | null;
  readonly projectId: string | null;
}

const COLUMNS = `id, operator_id, app_id, project_id, type, domain, provider_bps, developer_bps, status,
  scheduled_provider_bps, scheduled_developer_bps, scheduled_from, created_at, updated_at`;

const bps = z.number().int();

/** The scheduled overrides are read only while scheduled_from is set: each may be null (the type's default). */
const serviceRow = z
  .object({
    id: z.string(),
    operator_id: z.string(),
    app_id: z.string(),
    project_id: z.string().nullable(),
    type: z.string(),
    domain: z.string(),
    provider_bps: bps.nullable(),
    developer_bps: bps.nullable(),
    status: z.enum(SERVICE_STATUSES),
    scheduled_provider_bps: bps.nullable(),
    scheduled_developer_bps: bps.nullable(),
    scheduled_from: z.string().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .transform((row): Service => ({
    id: row.id,
    operatorId: row.operator_id,
    appId: row.app_id,
    projectId: row.project_id,
    type: row.type,
    domain: row.domain,
    terms: { providerBps: row.provider_bps, developerBps: row.developer_bps },
    scheduledTerms:
      row.scheduled_from === null
        ? null
        : {
            providerBps: row.scheduled_provider_bps,
            developerBps: row.scheduled_developer_bps,
            from: row.scheduled_from,
          },
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));

/** The services table: the services operators run, their share overrides and the overrides scheduled. */
@Injectable()
export class ServicesRepository {
  /** A new active service; refused with a unique violation when another service has the domain. */
  async create(manager: EntityManager, service: NewService): Promise<Service> {
    return queryOne(
      manager,
      {
        name: 'services.create',
        row: serviceRow,
        sql: `INSERT INTO services (id, operator_id, app_id, project_id, type, domain, provider_bps, developer_bps, status,
                                 created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', $9) RETURNING ${COLUMNS}`,
      },
      [
        service.id,
        service.operatorId,
        service.appId,
        service.projectId,
        service.type,
        service.domain,
        service.terms.providerBps,
        service.terms.developerBps,
        service.createdBy,
      ],
    );
  }

  /** The operator's service, locked until the transaction ends; null when the operator runs no such service. */
  async lockOfOperator(
    manager: EntityManager,
    serviceId: string,
    operatorId: string,
  ): Promise<Service | null> {
    const [service] = await queryRows(
      manager,
      {
        name: 'services.lockOfOperator',
        row: serviceRow,
        sql: `SELECT ${COLUMNS} FROM services WHERE id = $1 AND operator_id = $2 FOR UPDATE`,
      },
      [serviceId, operatorId],
    );
    return service ?? null;
  }

  /** Writes the scheduled overrides as the ones in force and clears the schedule. */
  async settleScheduledTerms(manager: EntityManager, serviceId: string): Promise<Service> {
    return queryOne(
      manager,
      {
        name: 'services.settleScheduledTerms',
        row: serviceRow,
        sql: `UPDATE services SET provider_bps = scheduled_provider_bps, developer_bps = scheduled_developer_bps,
            scheduled_provider_bps = NULL, scheduled_developer_bps = NULL, scheduled_from = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [serviceId],
    );
  }

  /** Sets the service's status, its overrides in force and those scheduled (null: none). */
  async update(
    manager: EntityManager,
    serviceId: string,
    status: ServiceStatus,
    terms: ServiceTerms,
    scheduled: Scheduled<ServiceTerms> | null,
  ): Promise<Service> {
    return queryOne(
      manager,
      {
        name: 'services.update',
        row: serviceRow,
        sql: `UPDATE services SET status = $2, provider_bps = $3, developer_bps = $4, scheduled_provider_bps = $5,
                scheduled_developer_bps = $6, scheduled_from = $7, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
      },
      [
        serviceId,
        status,
        terms.providerBps,
        terms.developerBps,
        scheduled?.providerBps ?? null,
        scheduled?.developerBps ?? null,
        scheduled?.from ?? null,
      ],
    );
  }

  /** At most `limit` services in id order, matching each filter given. */
  async page(manager: EntityManager, query: ServicePageQuery, limit: number): Promise<Service[]> {
    return queryRows(
      manager,
      {
        name: 'services.page',
        row: serviceRow,
        sql: `SELECT ${COLUMNS} FROM services
        WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR domain ILIKE $2)
          AND ($3::uuid IS NULL OR operator_id = $3) AND ($4::uuid IS NULL OR project_id = $4)
        ORDER BY id LIMIT $5`,
      },
      [query.afterId, query.domainPattern, query.operatorId, query.projectId, limit],
    );
  }

  async byId(manager: EntityManager, serviceId: string): Promise<Service | null> {
    const [service] = await queryRows(
      manager,
      { name: 'services.byId', row: serviceRow, sql: `SELECT ${COLUMNS} FROM services WHERE id = $1` },
      [serviceId],
    );
    return service ?? null;
  }

  /** Whether the operator runs an active service of the project. */
  async runsActiveServiceOf(manager: EntityManager, operatorId: string, projectId: string): Promise<boolean> {
    return queryExists(
      manager,
      {
        name: 'services.runsActiveServiceOf',
        sql: `SELECT 1 FROM services WHERE operator_id = $1 AND project_id = $2 AND status = 'active' LIMIT 1`,
      },
      [operatorId, projectId],
    );
  }
}

import { Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import {
  type CloudEvent,
  createEvent,
  type DataOf,
  ServiceCreatedV1,
  ServiceTermsScheduledV1,
  ServiceUpdatedV1,
  uuidV7,
} from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { isUniqueViolation } from '@onecommons/persistence';
import { decodeCursor, type Page, pageOf } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogError, type CatalogErrorCode } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { likePattern, type SearchQuery } from '../search.js';
import { cutEffectiveFrom, scheduleDue, serviceCuts, type ServiceTerms } from '../terms/share-cuts.js';
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
  scheduled_provider_bps: number | null;
  scheduled_developer_bps: number | null;
  scheduled_from: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, operator_id, app_id, project_id, type, domain, provider_bps, developer_bps, status,
  scheduled_provider_bps, scheduled_developer_bps, scheduled_from, created_at, updated_at`;

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
        const service = toServiceDto(row as ServiceRow, new Date());
        await this.outbox.append(manager, [createEvent(ServiceCreatedV1, stateOf(service), CATALOG_SOURCE)]);
        return service;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw CatalogError.conflict('domain_taken', 'Another service uses this domain.', 'domain');
      throw error;
    }
  }

  /**
   * Status changes apply at once; share overrides too unless they lower the providers' or the project's share
   * (docs/trust-rules.md): then they are scheduled from the next period, announced (ServiceTermsScheduled) and the running
   * period keeps the terms it began with. New terms that cut nothing withdraw a scheduled cut.
   */
  async update(operatorId: string, serviceId: string, input: UpdateServiceDto): Promise<ServiceDto> {
    return this.dataSource.transaction(async (manager) => {
      const now = new Date();
      const [locked] = (await manager.query(
        `SELECT ${COLUMNS} FROM services WHERE id = $1 AND operator_id = $2 FOR UPDATE`,
        [serviceId, operatorId],
      )) as ServiceRow[];
      if (!locked)
        throw CatalogError.notFound('service_not_found', 'This organization runs no such service.');
      if (locked.status === 'retired')
        throw CatalogError.conflict('service_retired', 'A retired service cannot change.', 'status');
      const current = await settleDueTerms(manager, locked, now);
      const inForce: ServiceTerms = {
        providerBps: current.provider_bps,
        developerBps: current.developer_bps,
      };
      const declared: ServiceTerms =
        current.scheduled_from === null
          ? inForce
          : { providerBps: current.scheduled_provider_bps, developerBps: current.scheduled_developer_bps };
      const wanted: ServiceTerms = {
        providerBps: input.providerBps === undefined ? declared.providerBps : input.providerBps,
        developerBps: input.developerBps === undefined ? declared.developerBps : input.developerBps,
      };
      const [type] = (await manager.query(
        'SELECT provider_bps AS "providerBps", developer_bps AS "developerBps" FROM service_types WHERE name = $1',
        [current.type],
      )) as { providerBps: number; developerBps: number }[];
      if (!type)
        throw new Error(`service ${serviceId} names no service type (services.type is a foreign key)`);
      const cuts = serviceCuts(type, current.project_id !== null, inForce, wanted);
      const scheduled = cuts.length > 0 ? { ...wanted, from: cutEffectiveFrom(now) } : null;
      const applied = scheduled ? inForce : wanted;
      const [[row]] = (await manager.query(
        `UPDATE services SET status = $2, provider_bps = $3, developer_bps = $4, scheduled_provider_bps = $5,
                scheduled_developer_bps = $6, scheduled_from = $7, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          serviceId,
          input.status ?? current.status,
          applied.providerBps,
          applied.developerBps,
          scheduled?.providerBps ?? null,
          scheduled?.developerBps ?? null,
          scheduled?.from ?? null,
        ],
      )) as [ServiceRow[], number];
      const service = toServiceDto(row as ServiceRow, now);
      const events: CloudEvent[] = [
        createEvent(ServiceUpdatedV1, stateOf(service), { ...CATALOG_SOURCE, time: now }),
      ];
      // A new schedule is the notice of a cut; replacing or dropping one says what holds from its period instead.
      const noticeFrom = scheduled?.from ?? current.scheduled_from;
      if (noticeFrom !== null)
        events.push(
          createEvent(
            ServiceTermsScheduledV1,
            {
              serviceId,
              operatorId,
              projectId: current.project_id,
              effectiveFrom: noticeFrom,
              providerBps: wanted.providerBps,
              developerBps: wanted.developerBps,
              previousProviderBps: inForce.providerBps,
              previousDeveloperBps: inForce.developerBps,
              cuts,
            },
            { ...CATALOG_SOURCE, time: now },
          ),
        );
      await this.outbox.append(manager, events);
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
    const now = new Date();
    return pageOf(rows, query.limit, (row) => toServiceDto(row, now));
  }

  async get(serviceId: string): Promise<ServiceDto> {
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM services WHERE id = $1`, [
      serviceId,
    ])) as ServiceRow[];
    if (!row) throw CatalogError.notFound('service_not_found', 'No such service.');
    return toServiceDto(row, new Date());
  }
}

async function mustExist(
  manager: EntityManager,
  sql: string,
  value: string,
  code: CatalogErrorCode,
  field: string,
) {
  const [row] = (await manager.query(sql, [value])) as unknown[];
  if (!row) throw CatalogError.invalid(code, `no such ${field.replace(/Id$/, '')}: ${value}`, field);
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

/** Terms scheduled for a period that has begun are the ones in force: write them so. */
async function settleDueTerms(manager: EntityManager, row: ServiceRow, now: Date): Promise<ServiceRow> {
  if (!scheduleDue(row.scheduled_from, now)) return row;
  const [[settled]] = (await manager.query(
    `UPDATE services SET provider_bps = scheduled_provider_bps, developer_bps = scheduled_developer_bps,
            scheduled_provider_bps = NULL, scheduled_developer_bps = NULL, scheduled_from = NULL
      WHERE id = $1 RETURNING ${COLUMNS}`,
    [row.id],
  )) as [ServiceRow[], number];
  return settled as ServiceRow;
}

function toServiceDto(row: ServiceRow, now: Date): ServiceDto {
  const due = scheduleDue(row.scheduled_from, now);
  return {
    id: row.id,
    operatorId: row.operator_id,
    appId: row.app_id,
    projectId: row.project_id,
    type: row.type,
    domain: row.domain,
    providerBps: due ? row.scheduled_provider_bps : row.provider_bps,
    developerBps: due ? row.scheduled_developer_bps : row.developer_bps,
    scheduledTerms:
      row.scheduled_from === null || due
        ? null
        : {
            providerBps: row.scheduled_provider_bps,
            developerBps: row.scheduled_developer_bps,
            effectiveFrom: row.scheduled_from,
          },
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

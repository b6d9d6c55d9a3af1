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
import { AppsRepository } from '../apps/apps.repository.js';
import { CatalogError, type CatalogErrorCode } from '../catalog-errors.js';
import { CATALOG_SOURCE } from '../catalog-events.js';
import { PricingRepository } from '../pricing/pricing.repository.js';
import { ProjectsRepository } from '../projects/projects.repository.js';
import { likePattern, type SearchQuery } from '../search.js';
import { cutEffectiveFrom, scheduleDue, serviceCuts, type ServiceTerms } from '../terms/share-cuts.js';
import { type CreateServiceDto, type ServiceDto, type UpdateServiceDto } from './services.dto.js';
import { type Service, ServicesRepository } from './services.repository.js';

export interface ServiceListQuery extends SearchQuery {
  readonly operatorId?: string;
  readonly projectId?: string;
}

@Injectable()
export class ServicesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly services: ServicesRepository,
    private readonly apps: AppsRepository,
    private readonly projects: ProjectsRepository,
    private readonly pricing: PricingRepository,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(principal: Principal, operatorId: string, input: CreateServiceDto): Promise<ServiceDto> {
    try {
      return await this.dataSource.transaction(async (manager) => {
        if (!(await this.apps.exists(manager, input.appId)))
          throw noSuch('unknown_app', 'appId', input.appId);
        if (input.projectId && !(await this.projects.exists(manager, input.projectId)))
          throw noSuch('unknown_project', 'projectId', input.projectId);
        if (!(await this.pricing.serviceTypeExists(manager, input.type)))
          throw noSuch('unknown_service_type', 'type', input.type);
        const service = toServiceDto(
          await this.services.create(manager, {
            id: uuidV7(),
            operatorId,
            appId: input.appId,
            projectId: input.projectId,
            type: input.type,
            domain: input.domain,
            terms: { providerBps: input.providerBps, developerBps: input.developerBps },
            createdBy: principal.subject,
          }),
          new Date(),
        );
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
      const locked = await this.services.lockOfOperator(manager, serviceId, operatorId);
      if (!locked)
        throw CatalogError.notFound('service_not_found', 'This organization runs no such service.');
      if (locked.status === 'retired')
        throw CatalogError.conflict('service_retired', 'A retired service cannot change.', 'status');
      const current = await this.settleDueTerms(manager, locked, now);
      const inForce = current.terms;
      const declared: ServiceTerms = current.scheduledTerms ?? inForce;
      const wanted: ServiceTerms = {
        providerBps: input.providerBps === undefined ? declared.providerBps : input.providerBps,
        developerBps: input.developerBps === undefined ? declared.developerBps : input.developerBps,
      };
      const type = await this.pricing.sharesOf(manager, current.type);
      if (!type)
        throw new Error(`service ${serviceId} names no service type (services.type is a foreign key)`);
      const cuts = serviceCuts(type, current.projectId !== null, inForce, wanted);
      const scheduled = cuts.length > 0 ? { ...wanted, from: cutEffectiveFrom(now) } : null;
      const applied = scheduled ? inForce : wanted;
      const service = toServiceDto(
        await this.services.update(manager, serviceId, input.status ?? current.status, applied, scheduled),
        now,
      );
      const events: CloudEvent[] = [
        createEvent(ServiceUpdatedV1, stateOf(service), { ...CATALOG_SOURCE, time: now }),
      ];
      // A new schedule is the notice of a cut; replacing or dropping one says what holds from its period instead.
      const noticeFrom = scheduled?.from ?? current.scheduledTerms?.from ?? null;
      if (noticeFrom !== null)
        events.push(
          createEvent(
            ServiceTermsScheduledV1,
            {
              serviceId,
              operatorId,
              projectId: current.projectId,
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
    const services = await this.services.page(
      this.dataSource.manager,
      {
        afterId: decodeCursor(query.cursor),
        domainPattern: likePattern(query.q),
        operatorId: query.operatorId ?? null,
        projectId: query.projectId ?? null,
      },
      query.limit + 1,
    );
    const now = new Date();
    return pageOf(services, query.limit, (service) => toServiceDto(service, now));
  }

  async get(serviceId: string): Promise<ServiceDto> {
    const service = await this.services.byId(this.dataSource.manager, serviceId);
    if (!service) throw CatalogError.notFound('service_not_found', 'No such service.');
    return toServiceDto(service, new Date());
  }

  /** Terms scheduled for a period that has begun are the ones in force: write them so. */
  private async settleDueTerms(manager: EntityManager, service: Service, now: Date): Promise<Service> {
    if (!scheduleDue(service.scheduledTerms?.from ?? null, now)) return service;
    return this.services.settleScheduledTerms(manager, service.id);
  }
}

/** A reference to something that does not exist, named by the field (`appId` names an app). */
const noSuch = (code: CatalogErrorCode, field: string, value: string) =>
  CatalogError.invalid(code, `no such ${field.replace(/Id$/, '')}: ${value}`, field);

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

function toServiceDto(service: Service, now: Date): ServiceDto {
  const { scheduledTerms } = service;
  const due = scheduledTerms !== null && scheduleDue(scheduledTerms.from, now);
  const terms = due ? scheduledTerms : service.terms;
  return {
    id: service.id,
    operatorId: service.operatorId,
    appId: service.appId,
    projectId: service.projectId,
    type: service.type,
    domain: service.domain,
    providerBps: terms.providerBps,
    developerBps: terms.developerBps,
    scheduledTerms:
      scheduledTerms === null || due
        ? null
        : {
            providerBps: scheduledTerms.providerBps,
            developerBps: scheduledTerms.developerBps,
            effectiveFrom: scheduledTerms.from,
          },
    status: service.status,
    createdAt: service.createdAt.toISOString(),
    updatedAt: service.updatedAt.toISOString(),
  };
}

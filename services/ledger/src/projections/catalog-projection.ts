import { Injectable } from '@nestjs/common';
import {
  AgreementMadeV1,
  AgreementTermsScheduledV1,
  AgreementUpdatedV1,
  type CloudEvent,
  ContractVersionPublishedV1,
  type DataOf,
  MeterDefinedV2,
  ProjectCreatedV1,
  ProjectDependenciesSetV1,
  periodOf,
  ServiceCreatedV1,
  ServiceTermsScheduledV1,
  ServiceTypeDefinedV1,
  ServiceUpdatedV1,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

type EventOf<Contract> = CloudEvent<DataOf<Contract>>;

/**
 * The ledger's copy of catalog's facts: meters, service types, services, projects, contracts, agreements. Share
 * terms are kept by the period they apply from (service_terms, agreement_terms): a service's or agreement's state
 * holds from the period of its event, a scheduled change (catalog's notice of a cut) from the period it names.
 * (The share columns of `services` and `agreements` keep the latest state announced; a close reads the terms.)
 */
@Injectable()
export class CatalogProjection {
  @OnEvent(MeterDefinedV2)
  async onMeterDefined(event: EventOf<typeof MeterDefinedV2>, { manager }: EventContext): Promise<void> {
    await manager.query(
      `INSERT INTO meters (name, weight) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET weight = EXCLUDED.weight`,
      [event.data.name, event.data.weight],
    );
  }

  @OnEvent(ServiceTypeDefinedV1)
  async onServiceTypeDefined(
    event: EventOf<typeof ServiceTypeDefinedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO service_types (name, provider_bps, developer_bps) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET provider_bps = EXCLUDED.provider_bps, developer_bps = EXCLUDED.developer_bps`,
      [event.data.name, event.data.providerBps, event.data.developerBps],
    );
  }

  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(event: EventOf<typeof ServiceCreatedV1>, context: EventContext): Promise<void> {
    await this.upsertService(event.data, context);
    await upsertServiceTerms(context, event.data, periodOf(new Date(event.time)));
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(event: EventOf<typeof ServiceUpdatedV1>, context: EventContext): Promise<void> {
    await this.upsertService(event.data, context);
    await upsertServiceTerms(context, event.data, periodOf(new Date(event.time)));
  }

  @OnEvent(ServiceTermsScheduledV1)
  async onServiceTermsScheduled(
    event: EventOf<typeof ServiceTermsScheduledV1>,
    context: EventContext,
  ): Promise<void> {
    await upsertServiceTerms(context, event.data, event.data.effectiveFrom);
  }

  @OnEvent(ProjectCreatedV1)
  async onProjectCreated(event: EventOf<typeof ProjectCreatedV1>, { manager }: EventContext): Promise<void> {
    await manager.query(
      `INSERT INTO projects (project_id, organization_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET organization_id = EXCLUDED.organization_id, name = EXCLUDED.name`,
      [event.data.projectId, event.data.organizationId, event.data.name],
    );
  }

  /** A published version never changes: a redelivery (or a replay) finds it there already. */
  @OnEvent(ContractVersionPublishedV1)
  async onContractVersionPublished(
    event: EventOf<typeof ContractVersionPublishedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    const { projectId, version, effectiveFrom, dependenciesBps, members } = event.data;
    const inserted = (await manager.query(
      `INSERT INTO contract_versions (project_id, version, effective_from, dependencies_bps)
       VALUES ($1, $2, $3, $4) ON CONFLICT (project_id, version) DO NOTHING RETURNING version`,
      [projectId, version, effectiveFrom, dependenciesBps],
    )) as unknown[];
    if (inserted.length === 0 || members.length === 0) return;
    await manager.query(
      `INSERT INTO contract_members (project_id, version, account_id, weight)
       SELECT $1, $2, account, sum(weight) FROM unnest($3::uuid[], $4::numeric[]) AS t(account, weight)
        GROUP BY account`,
      [projectId, version, members.map((member) => member.account), members.map((member) => member.weight)],
    );
  }

  /** The event carries the whole list: it replaces the project's dependencies. */
  @OnEvent(ProjectDependenciesSetV1)
  async onDependenciesSet(
    event: EventOf<typeof ProjectDependenciesSetV1>,
    { manager }: EventContext,
  ): Promise<void> {
    const { projectId, dependencies } = event.data;
    await manager.query('DELETE FROM project_dependencies WHERE project_id = $1', [projectId]);
    if (dependencies.length === 0) return;
    await manager.query(
      `INSERT INTO project_dependencies (project_id, dependency_id, weight)
       SELECT $1, dependency, sum(weight) FROM unnest($2::uuid[], $3::numeric[]) AS t(dependency, weight)
        GROUP BY dependency`,
      [projectId, dependencies.map((entry) => entry.project), dependencies.map((entry) => entry.weight)],
    );
  }

  @OnEvent(AgreementMadeV1)
  async onAgreementMade(event: EventOf<typeof AgreementMadeV1>, context: EventContext): Promise<void> {
    await this.upsertAgreement(event.data, context);
    await upsertAgreementTerms(context, event.data, periodOf(new Date(event.time)));
  }

  @OnEvent(AgreementUpdatedV1)
  async onAgreementUpdated(event: EventOf<typeof AgreementUpdatedV1>, context: EventContext): Promise<void> {
    await this.upsertAgreement(event.data, context);
    await upsertAgreementTerms(context, event.data, periodOf(new Date(event.time)));
  }

  @OnEvent(AgreementTermsScheduledV1)
  async onAgreementTermsScheduled(
    event: EventOf<typeof AgreementTermsScheduledV1>,
    context: EventContext,
  ): Promise<void> {
    await upsertAgreementTerms(context, event.data, event.data.effectiveFrom);
  }

  private async upsertService(
    service: DataOf<typeof ServiceCreatedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO services (service_id, operator_id, app_id, project_id, type, provider_bps, developer_bps, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (service_id) DO UPDATE SET operator_id = EXCLUDED.operator_id, app_id = EXCLUDED.app_id,
         project_id = EXCLUDED.project_id, type = EXCLUDED.type, provider_bps = EXCLUDED.provider_bps,
         developer_bps = EXCLUDED.developer_bps, status = EXCLUDED.status`,
      [
        service.serviceId,
        service.operatorId,
        service.appId,
        service.projectId,
        service.type,
        service.providerBps,
        service.developerBps,
        service.status,
      ],
    );
  }

  private async upsertAgreement(
    agreement: DataOf<typeof AgreementMadeV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO agreements (agreement_id, project_id, operator_id, developer_bps, binding)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (agreement_id) DO UPDATE SET project_id = EXCLUDED.project_id,
         operator_id = EXCLUDED.operator_id, developer_bps = EXCLUDED.developer_bps, binding = EXCLUDED.binding`,
      [
        agreement.agreementId,
        agreement.projectId,
        agreement.operatorId,
        agreement.developerBps,
        agreement.binding,
      ],
    );
  }
}

async function upsertServiceTerms(
  { manager }: EventContext,
  terms: { serviceId: string; providerBps: number | null; developerBps: number | null },
  effectiveFrom: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO service_terms (service_id, effective_from, provider_bps, developer_bps) VALUES ($1, $2, $3, $4)
     ON CONFLICT (service_id, effective_from) DO UPDATE SET provider_bps = EXCLUDED.provider_bps,
       developer_bps = EXCLUDED.developer_bps`,
    [terms.serviceId, effectiveFrom, terms.providerBps, terms.developerBps],
  );
}

async function upsertAgreementTerms(
  { manager }: EventContext,
  terms: { agreementId: string; developerBps: number; binding: boolean },
  effectiveFrom: string,
): Promise<void> {
  await manager.query(
    `INSERT INTO agreement_terms (agreement_id, effective_from, developer_bps, binding) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agreement_id, effective_from) DO UPDATE SET developer_bps = EXCLUDED.developer_bps,
       binding = EXCLUDED.binding`,
    [terms.agreementId, effectiveFrom, terms.developerBps, terms.binding],
  );
}

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
import { type EntityManager } from 'typeorm';
import { CatalogRepository } from './catalog.repository.js';

type EventOf<Contract> = CloudEvent<DataOf<Contract>>;

/**
 * The ledger's copy of catalog's facts: meters, service types, services, projects, contracts, agreements. Share
 * terms are kept by the period they apply from (service_terms, agreement_terms): a service's or agreement's state
 * holds from the period of its event, a scheduled change (catalog's notice of a cut) from the period it names.
 * (The share columns of `services` and `agreements` keep the latest state announced; a close reads the terms.)
 */
@Injectable()
export class CatalogProjection {
  constructor(private readonly catalog: CatalogRepository) {}

  @OnEvent(MeterDefinedV2)
  async onMeterDefined(event: EventOf<typeof MeterDefinedV2>, { manager }: EventContext): Promise<void> {
    await this.catalog.defineMeter(manager, event.data);
  }

  @OnEvent(ServiceTypeDefinedV1)
  async onServiceTypeDefined(
    event: EventOf<typeof ServiceTypeDefinedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.catalog.defineServiceType(manager, event.data);
  }

  @OnEvent(ServiceCreatedV1)
  async onServiceCreated(event: EventOf<typeof ServiceCreatedV1>, { manager }: EventContext): Promise<void> {
    await this.serviceStated(manager, event);
  }

  @OnEvent(ServiceUpdatedV1)
  async onServiceUpdated(event: EventOf<typeof ServiceUpdatedV1>, { manager }: EventContext): Promise<void> {
    await this.serviceStated(manager, event);
  }

  @OnEvent(ServiceTermsScheduledV1)
  async onServiceTermsScheduled(
    event: EventOf<typeof ServiceTermsScheduledV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.catalog.upsertServiceTerms(manager, event.data, event.data.effectiveFrom);
  }

  @OnEvent(ProjectCreatedV1)
  async onProjectCreated(event: EventOf<typeof ProjectCreatedV1>, { manager }: EventContext): Promise<void> {
    await this.catalog.upsertProject(manager, event.data);
  }

  /** A published version never changes: a redelivery (or a replay) finds it there already. */
  @OnEvent(ContractVersionPublishedV1)
  async onContractVersionPublished(
    event: EventOf<typeof ContractVersionPublishedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    const inserted = await this.catalog.addContractVersion(manager, event.data);
    if (!inserted || event.data.members.length === 0) return;
    await this.catalog.addContractMembers(manager, event.data);
  }

  /** The event carries the whole list: it replaces the project's dependencies. */
  @OnEvent(ProjectDependenciesSetV1)
  async onDependenciesSet(
    event: EventOf<typeof ProjectDependenciesSetV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.catalog.replaceDependencies(manager, event.data);
  }

  @OnEvent(AgreementMadeV1)
  async onAgreementMade(event: EventOf<typeof AgreementMadeV1>, { manager }: EventContext): Promise<void> {
    await this.agreementStated(manager, event);
  }

  @OnEvent(AgreementUpdatedV1)
  async onAgreementUpdated(
    event: EventOf<typeof AgreementUpdatedV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.agreementStated(manager, event);
  }

  @OnEvent(AgreementTermsScheduledV1)
  async onAgreementTermsScheduled(
    event: EventOf<typeof AgreementTermsScheduledV1>,
    { manager }: EventContext,
  ): Promise<void> {
    await this.catalog.upsertAgreementTerms(manager, event.data, event.data.effectiveFrom);
  }

  /** A service's whole state (created or updated): its terms hold from the event's period. */
  private async serviceStated(
    manager: EntityManager,
    event: EventOf<typeof ServiceCreatedV1> | EventOf<typeof ServiceUpdatedV1>,
  ): Promise<void> {
    await this.catalog.upsertService(manager, event.data);
    await this.catalog.upsertServiceTerms(manager, event.data, periodOf(new Date(event.time)));
  }

  /** An agreement's whole state (made or updated): its terms hold from the event's period. */
  private async agreementStated(
    manager: EntityManager,
    event: EventOf<typeof AgreementMadeV1> | EventOf<typeof AgreementUpdatedV1>,
  ): Promise<void> {
    await this.catalog.upsertAgreement(manager, event.data);
    await this.catalog.upsertAgreementTerms(manager, event.data, periodOf(new Date(event.time)));
  }
}

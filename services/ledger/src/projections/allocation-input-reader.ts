import { Injectable } from '@nestjs/common';
import { type AllocationContext, type AllocationPolicy, type Service } from '@onecommons/allocation';
import { type EntityManager } from 'typeorm';
import { CatalogRepository } from './catalog.repository.js';

/**
 * Reads one period's allocation context (libs/allocation) from the ledger's projections: the catalog facts in
 * force for the period (the subscribers and their usage are streamed: `payingSubscribers`).
 */
@Injectable()
export class AllocationInputReader {
  constructor(private readonly catalog: CatalogRepository) {}

  /**
   * Everything a close of the period reads but its subscribers and usage: the meters, service types and every
   * service of a known type with the terms in force for the period, the projects and the agreements.
   */
  async context(
    manager: EntityManager,
    period: string,
    policy: AllocationPolicy,
  ): Promise<AllocationContext> {
    const meters = await this.catalog.meterWeights(manager);
    const serviceTypes = await this.catalog.serviceTypes(manager);
    return {
      period,
      policy,
      meters,
      serviceTypes,
      services: await this.catalog.servicesInForce(manager, period),
      projects: await this.catalog.projectsInForce(manager, period),
      agreements: await this.catalog.agreementsInForce(manager, period),
    };
  }

  /**
   * Services the ledger knows, with the terms in force for the period, whatever usage it has: for corrections
   * of a closed period that name a service its close had no usage of.
   */
  async servicesInForce(manager: EntityManager, period: string, ids: readonly string[]): Promise<Service[]> {
    if (ids.length === 0) return [];
    return this.catalog.servicesInForceOf(manager, period, ids);
  }
}

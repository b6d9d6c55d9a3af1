import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { IdentityError } from '../identity-errors.js';
import { CatalogServicesRepository } from './catalog-services.repository.js';

/** How long a client waits before asking again about a service identity has not heard of yet. */
const NOT_KNOWN_YET_RETRY_SECONDS = 2;

/**
 * The one rule for binding a key to a service: the service exists in catalog, is active, and the organization
 * operates it. A service created a moment ago may not have reached identity yet: that refusal is retryable.
 */
@Injectable()
export class ServiceOperators {
  constructor(private readonly services: CatalogServicesRepository) {}

  async ensureOperatedBy(manager: EntityManager, serviceId: string, organizationId: string): Promise<void> {
    const service = await this.services.find(manager, serviceId);
    if (!service)
      throw new IdentityError(
        'conflict',
        'service_not_known_yet',
        'Identity does not know this service (yet): a service just created in catalog arrives in seconds; retry.',
        { field: 'serviceId', retryAfterSeconds: NOT_KNOWN_YET_RETRY_SECONDS },
      );
    if (service.operatorId !== organizationId)
      throw IdentityError.forbidden(
        'service_not_operated',
        'This organization does not operate the service.',
        'serviceId',
      );
    if (service.status !== 'active')
      throw IdentityError.conflict('service_not_active', `The service is ${service.status}.`, 'serviceId');
  }
}

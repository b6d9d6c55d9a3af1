import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  OrganizationCreatedV1,
  SubscriberRegisteredV2,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';
import { KnownPartiesRepository } from './known-parties.repository.js';

/**
 * Catalog's own record of the accounts and organizations identity announced, so a contract can only
 * name accounts that exist (catalog never reads identity's tables).
 */
@Injectable()
export class KnownPartiesProjection {
  constructor(private readonly parties: KnownPartiesRepository) {}

  @OnEvent(SubscriberRegisteredV2)
  async onAccountRegistered(
    event: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    context: EventContext,
  ): Promise<void> {
    await this.parties.addAccount(context.manager, event.data.subscriberId, event.data.registeredAt);
  }

  @OnEvent(OrganizationCreatedV1)
  async onOrganizationCreated(
    event: CloudEvent<DataOf<typeof OrganizationCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await this.parties.addOrganization(context.manager, {
      organizationId: event.data.organizationId,
      kind: event.data.kind,
      name: event.data.name,
    });
  }
}

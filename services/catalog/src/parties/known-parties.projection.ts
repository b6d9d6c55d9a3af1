import { Injectable } from '@nestjs/common';
import {
  type CloudEvent,
  type DataOf,
  OrganizationCreatedV1,
  SubscriberRegisteredV2,
} from '@onecommons/contracts';
import { type EventContext, OnEvent } from '@onecommons/kafka';

/**
 * Catalog's own record of the accounts and organizations identity announced, so a contract can only
 * name accounts that exist (catalog never reads identity's tables).
 */
@Injectable()
export class KnownPartiesProjection {
  @OnEvent(SubscriberRegisteredV2)
  async onAccountRegistered(
    event: CloudEvent<DataOf<typeof SubscriberRegisteredV2>>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO known_accounts (account_id, registered_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [event.data.subscriberId, event.data.registeredAt],
    );
  }

  @OnEvent(OrganizationCreatedV1)
  async onOrganizationCreated(
    event: CloudEvent<DataOf<typeof OrganizationCreatedV1>>,
    context: EventContext,
  ): Promise<void> {
    await context.manager.query(
      `INSERT INTO known_organizations (organization_id, kind, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [event.data.organizationId, event.data.kind, event.data.name],
    );
  }
}

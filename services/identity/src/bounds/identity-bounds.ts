import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { BoundsRepository } from './bounds.repository.js';

const limitReached = (what: string, limit: number, field: string) =>
  IdentityError.conflict('limit_reached', `${what} is limited to ${limit}.`, field);

/**
 * How much one account or organization may hold: organizations per account (each is a claim in its access
 * tokens), pending invitations and live API keys per organization. Each check runs in the transaction that
 * adds the thing and locks the row it counts for, so two concurrent requests cannot both take the last place.
 */
@Injectable()
export class IdentityBounds {
  constructor(
    private readonly bounds: BoundsRepository,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  async ensureRoomForOrganization(manager: EntityManager, accountId: string): Promise<void> {
    await this.bounds.lockAccount(manager, accountId);
    const limit = this.config.ORGANIZATIONS_PER_ACCOUNT_LIMIT;
    if ((await this.bounds.organizationsOfAccount(manager, accountId)) >= limit)
      throw limitReached('The organizations an account belongs to are', limit, 'organizations');
  }

  /** The caller holds the organization's row lock (see lockOrganization). */
  async ensureRoomForInvitation(manager: EntityManager, organizationId: string): Promise<void> {
    const limit = this.config.PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT;
    if ((await this.bounds.pendingInvitationsOf(manager, organizationId)) >= limit)
      throw limitReached("An organization's pending invitations are", limit, 'invitations');
  }

  async ensureRoomForApiKey(manager: EntityManager, organizationId: string): Promise<void> {
    await this.bounds.lockOrganization(manager, organizationId);
    const limit = this.config.LIVE_API_KEYS_PER_ORGANIZATION_LIMIT;
    if ((await this.bounds.liveApiKeysOf(manager, organizationId)) >= limit)
      throw limitReached("An organization's live API keys are", limit, 'apiKeys');
  }
}

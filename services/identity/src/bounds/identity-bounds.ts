import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { type EntityManager } from 'typeorm';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';

const limitReached = (what: string, limit: number, field: string) =>
  IdentityError.conflict('limit_reached', `${what} is limited to ${limit}.`, field);

/**
 * How much one account or organization may hold: organizations per account (each is a claim in its access
 * tokens), pending invitations and live API keys per organization. Each check runs in the transaction that
 * adds the thing and locks the row it counts for, so two concurrent requests cannot both take the last place.
 */
@Injectable()
export class IdentityBounds {
  constructor(@Inject(SERVICE_CONFIG) private readonly config: IdentityConfig) {}

  async ensureRoomForOrganization(manager: EntityManager, accountId: string): Promise<void> {
    await manager.query('SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE', [accountId]);
    const limit = this.config.ORGANIZATIONS_PER_ACCOUNT_LIMIT;
    const [row] = (await manager.query(
      'SELECT count(*)::int AS held FROM memberships WHERE account_id = $1',
      [accountId],
    )) as { held: number }[];
    if ((row?.held ?? 0) >= limit)
      throw limitReached('The organizations an account belongs to are', limit, 'organizations');
  }

  /** The caller holds the organization's row lock (see lockOrganization). */
  async ensureRoomForInvitation(manager: EntityManager, organizationId: string): Promise<void> {
    const limit = this.config.PENDING_INVITATIONS_PER_ORGANIZATION_LIMIT;
    const [row] = (await manager.query(
      `SELECT count(*)::int AS held FROM invitations WHERE organization_id = $1 AND state = 'pending'`,
      [organizationId],
    )) as { held: number }[];
    if ((row?.held ?? 0) >= limit)
      throw limitReached("An organization's pending invitations are", limit, 'invitations');
  }

  async ensureRoomForApiKey(manager: EntityManager, organizationId: string): Promise<void> {
    await manager.query('SELECT 1 FROM organizations WHERE id = $1 FOR UPDATE', [organizationId]);
    const limit = this.config.LIVE_API_KEYS_PER_ORGANIZATION_LIMIT;
    const [row] = (await manager.query(
      `SELECT count(*)::int AS held FROM api_keys
        WHERE organization_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [organizationId],
    )) as { held: number }[];
    if ((row?.held ?? 0) >= limit)
      throw limitReached("An organization's live API keys are", limit, 'apiKeys');
  }
}

import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In } from 'typeorm';
import { AccountTokens } from '../accounts/account-tokens.js';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { Reauthentication } from '../accounts/reauthentication.js';
import { AdminsService } from '../admins/admins.service.js';
import { LIVE_STATUSES, Subscription } from '../billing/subscription.entity.js';
import { IdentityError } from '../identity-errors.js';
import { InvitationsRepository } from '../invitations/invitations.repository.js';
import { OutgoingMailRepository } from '../mail/outgoing-mail.repository.js';
import { OrganizationsRepository } from '../organizations/organizations.repository.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { AccountSessions } from '../sessions/account-sessions.js';

/**
 * An account deletes itself with its password. Its personal data goes (email, password hash, pending mail and
 * links), its id stays: the ledger, payouts and catalog know only that pseudonymous id. It leaves its
 * organizations and platform role (announced as RoleRevoked); pending invitations to it are cancelled; its
 * organizations' API keys stay theirs. Refused, changing nothing, while it is an organization's only owner
 * (hand over first) or the platform's last admin, or while a subscription would still renew (cancel first).
 */
@Injectable()
export class AccountDeletion {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reauthentication: Reauthentication,
    private readonly accounts: AccountsRepository,
    private readonly organizations: OrganizationsRepository,
    private readonly memberships: OrganizationsService,
    private readonly admins: AdminsService,
    private readonly invitations: InvitationsRepository,
    private readonly sessions: AccountSessions,
    private readonly tokens: AccountTokens,
    private readonly mail: OutgoingMailRepository,
  ) {}

  async delete(accountId: string, password: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      await this.reauthentication.lockAndVerify(manager, accountId, password, 'password');
      await this.ensureNoRenewingSubscription(manager, accountId);
      const memberships = await this.organizations.membershipsOf(manager, accountId);
      const soleOwned = memberships.filter((membership) => membership.soleOwner);
      if (soleOwned.length > 0)
        throw new IdentityError(
          'conflict',
          'last_owner',
          'The account is the only owner of an organization: make another member owner first.',
          { details: { organizationIds: soleOwned.map((membership) => membership.organizationId) } },
        );
      for (const { organizationId } of memberships)
        await this.memberships.removeMemberIn(manager, accountId, organizationId, accountId);
      await this.admins.revokeIn(manager, accountId, accountId);
      await this.invitations.cancelPendingOf(manager, accountId);
      await this.sessions.endAll(manager, accountId, 'account_deleted');
      await this.tokens.forgetAccount(manager, accountId);
      await this.mail.deleteOfAccount(manager, accountId);
      await this.accounts.erase(manager, accountId);
    });
  }

  /** A subscription set to end at its period's end does not hold deletion up: the paid period runs out. */
  private async ensureNoRenewingSubscription(manager: EntityManager, accountId: string): Promise<void> {
    const renewing = await manager.getRepository(Subscription).existsBy({
      accountId,
      status: In([...LIVE_STATUSES]),
      cancelAtPeriodEnd: false,
    });
    if (renewing)
      throw IdentityError.conflict(
        'subscription_active',
        'The account has a subscription that renews: cancel it first (POST /v1/subscriptions/current/cancel).',
      );
  }
}

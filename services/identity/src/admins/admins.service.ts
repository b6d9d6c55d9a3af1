import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type Principal } from '@onecommons/auth';
import { createEvent, RoleGrantedV1, RoleRevokedV1 } from '@onecommons/contracts';
import { OutboxWriter } from '@onecommons/kafka';
import { SERVICE_CONFIG } from '@onecommons/service-kit';
import { DataSource, type EntityManager } from 'typeorm';
import { AccountsRepository } from '../accounts/accounts.repository.js';
import { type IdentityConfig } from '../config.js';
import { IdentityError } from '../identity-errors.js';
import { type Admin, AdminsRepository } from './admins.repository.js';

const SOURCE = { source: '/onecommons/identity' };

export interface AdminDto {
  readonly accountId: string;
  readonly grantedBy: string | null;
  readonly grantedAt: string;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Platform admins: the first one by bootstrap token, later ones granted by an admin. */
@Injectable()
export class AdminsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly admins: AdminsRepository,
    private readonly accounts: AccountsRepository,
    private readonly outbox: OutboxWriter,
    @Inject(SERVICE_CONFIG) private readonly config: IdentityConfig,
  ) {}

  /**
   * Makes the caller the first admin when it presents the bootstrap token and no admin exists yet.
   * Repeating it as that admin is harmless (returns the same grant), so setup scripts can rerun.
   */
  async bootstrap(principal: Principal, token: string): Promise<AdminDto> {
    const expected = this.config.IDENTITY_ADMIN_BOOTSTRAP_TOKEN;
    if (expected === undefined)
      throw IdentityError.forbidden('bootstrap_disabled', 'Admin bootstrap is not enabled on this platform.');
    if (!timingSafeEqual(digest(token), digest(expected)))
      throw IdentityError.forbidden('invalid_bootstrap_token', 'The bootstrap token is wrong.', 'token');
    return this.dataSource.transaction(async (manager) => {
      // Two callers racing with the token: the table lock lets exactly one become the first admin.
      await this.admins.lock(manager);
      const admins = await this.admins.all(manager);
      const own = admins.find((admin) => admin.accountId === principal.subject);
      if (own) return toAdminDto(own);
      if (admins.length > 0)
        throw IdentityError.conflict(
          'admin_exists',
          'The platform has an admin; ask them to grant the role.',
        );
      return this.grantIn(manager, principal.subject, null);
    });
  }

  async list(): Promise<AdminDto[]> {
    return (await this.admins.list()).map(toAdminDto);
  }

  async grant(principal: Principal, accountId: string): Promise<AdminDto> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await this.accounts.exists(manager, accountId)))
        throw IdentityError.notFound('account_not_found', 'No account has this id.', 'accountId');
      const existing = await this.admins.find(manager, accountId);
      return existing ? toAdminDto(existing) : this.grantIn(manager, accountId, principal.subject);
    });
  }

  async revoke(principal: Principal, accountId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.revokeIn(manager, principal.subject, accountId)))
        throw IdentityError.notFound('admin_not_found', 'The account is not an admin.');
    });
  }

  /**
   * Revokes the account's admin role in the caller's transaction and announces it; false when it has none.
   * The last admin stays.
   */
  async revokeIn(manager: EntityManager, revokedBy: string, accountId: string): Promise<boolean> {
    await this.admins.lock(manager);
    const admins = await this.admins.accountIds(manager);
    if (!admins.includes(accountId)) return false;
    if (admins.length === 1)
      throw IdentityError.conflict('last_admin', 'The platform must keep at least one admin.', 'accountId');
    await this.admins.revoke(manager, accountId);
    await this.outbox.append(manager, [
      createEvent(
        RoleRevokedV1,
        { accountId, organizationId: null, role: 'admin', revokedBy, revokedAt: new Date().toISOString() },
        SOURCE,
      ),
    ]);
    return true;
  }

  private async grantIn(
    manager: EntityManager,
    accountId: string,
    grantedBy: string | null,
  ): Promise<AdminDto> {
    const admin = toAdminDto(await this.admins.grant(manager, accountId, grantedBy));
    await this.outbox.append(manager, [
      createEvent(
        RoleGrantedV1,
        {
          accountId,
          organizationId: null,
          organizationKind: null,
          role: 'admin',
          grantedBy,
          grantedAt: admin.grantedAt,
        },
        SOURCE,
      ),
    ]);
    return admin;
  }
}

function toAdminDto(admin: Admin): AdminDto {
  return { accountId: admin.accountId, grantedBy: admin.grantedBy, grantedAt: admin.grantedAt.toISOString() };
}

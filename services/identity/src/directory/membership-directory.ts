import { Injectable } from '@nestjs/common';
import {
  type AccessDirectory,
  type OrganizationGrant,
  type PlatformRole,
  type Principal,
} from '@onecommons/auth';
import { UUID_PATTERN } from '@onecommons/service-kit';
import { DirectoryRepository } from './directory.repository.js';

/**
 * What an account is in each of its organizations and on the platform, read from identity's own tables.
 * Identity's endpoints check against these, not the token: a revocation counts at once here (other
 * services go by the token's claims until it expires).
 */
@Injectable()
export class MembershipDirectory implements AccessDirectory {
  constructor(private readonly directory: DirectoryRepository) {}

  organizationsOfAccount(accountId: string): Promise<OrganizationGrant[]> {
    return this.directory.organizationsOfAccount(accountId);
  }

  platformRolesOfAccount(accountId: string): Promise<PlatformRole[]> {
    return this.directory.platformRolesOfAccount(accountId);
  }

  platformRolesOf(principal: Principal): Promise<PlatformRole[]> {
    return this.platformRolesOfAccount(principal.subject);
  }

  membershipOf(principal: Principal, organizationId: string): Promise<OrganizationGrant | null> {
    return this.membershipOfAccount(principal.subject, organizationId);
  }

  async membershipOfAccount(accountId: string, organizationId: string): Promise<OrganizationGrant | null> {
    if (!UUID_PATTERN.test(organizationId)) return null;
    return this.directory.membershipOfAccount(accountId, organizationId);
  }
}

import { type OrganizationGrant, type PlatformRole, type Principal } from '../access-token.js';

/** Answers what an account is on the platform and in an organization, for role and object-level checks. */
export interface AccessDirectory {
  platformRolesOf(principal: Principal): Promise<readonly PlatformRole[]>;
  membershipOf(principal: Principal, organizationId: string): Promise<OrganizationGrant | null>;
}

/** The default: what the access token carries (no call to identity per request). */
export const accessFromClaims: AccessDirectory = {
  platformRolesOf: (principal) => Promise.resolve(principal.roles),
  membershipOf: (principal, organizationId) =>
    Promise.resolve(principal.organizations.find((grant) => grant.id === organizationId) ?? null),
};
